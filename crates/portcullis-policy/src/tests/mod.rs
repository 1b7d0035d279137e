//! Unit tests, table-driven, on hand-built findings.

mod evaluate_tests;
mod file_tests;
mod ignore_tests;
mod parse_tests;
mod score_tests;
mod software_tests;
mod support;
mod vex_tests;
