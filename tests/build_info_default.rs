//! The headline call `install_exporter()` exports `build_info`: the executable's name, and
//! `unknown` as the version (a function in the library cannot see the caller's `Cargo.toml`;
//! the macro form `install_exporter!()` gives the package version).

use metrics_runtime::install_exporter;
use metrics_toolkit::get;

#[test]
fn the_function_form_exports_build_info_of_the_executable() {
    std::env::set_var("METRICS_ADDR", "127.0.0.1:0");
    let exporter = install_exporter().unwrap();
    std::env::remove_var("METRICS_ADDR");
    let text = get(exporter.local_addr().unwrap(), "/metrics").body;

    // Cargo names a test binary after its file, with a hash: build_info_default-0123abcd...
    let executable = std::env::current_exe().unwrap();
    let name = executable.file_stem().unwrap().to_str().unwrap();
    assert!(name.starts_with("build_info_default-"), "{name}");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("build_info"))
        .collect();
    assert_eq!(
        lines,
        [format!(
            "build_info{{name=\"{name}\",version=\"unknown\"}} 1"
        )]
    );
    assert!(
        text.contains("# HELP build_info Name and version of the running program; the value is always 1.\n# TYPE build_info gauge\n"),
        "{text}"
    );
    exporter.shutdown();
}
