//! Fake Qualys CS API server (work in progress).
