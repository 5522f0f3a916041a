//! A typed Microsoft Graph client for the Security Copilot API. Knows nothing about the TUI.

pub mod models;
