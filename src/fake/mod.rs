//! The built-in Microsoft Graph fake.
