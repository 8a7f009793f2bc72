//! Compile tests of the attributes and derives: `tests/ui/pass` must compile and run,
//! `tests/ui/fail` must fail with the error in its `.stderr` snapshot.

#[test]
fn attributes_compile_where_they_should() {
    trybuild::TestCases::new().pass("tests/ui/pass/*.rs");
}

#[test]
fn mistakes_are_compile_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}
