//! Debian: the security tracker's JSON, its DSA/DLA/DTSA text lists,
//! vuln-list-debian records and our changelog-derived list.
