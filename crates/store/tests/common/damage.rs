//! Damage inside a store file, for the tests that check it is found (shared by the store's
//! tests and the CLI's).

use std::path::Path;

/// Overwrites the first half of every leaf page of the full-text index's data but the first
/// (past each page's own 8-byte header: its cell pointers and what follows), leaving the file's
/// header, its schema and the index's structure record (in the first leaf) alone.
pub fn damage_the_index_pages(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let page_size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    // in key order: the first leaf holds the index's structure record
    let leaves: Vec<i64> = conn
        .prepare(
            "SELECT pageno FROM dbstat WHERE name = 'search_data' AND pagetype = 'leaf'
             ORDER BY path",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    assert!(leaves.len() > 4, "a populated index: {leaves:?}");
    let mut bytes = std::fs::read(path).unwrap();
    for page in &leaves[1..] {
        let start = ((page - 1) * page_size) as usize;
        bytes[start + 8..start + page_size as usize / 2].fill(0x5a);
    }
    std::fs::write(path, &bytes).unwrap();
}
