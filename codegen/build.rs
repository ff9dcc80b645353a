//! Tells the tests whether Camunda's OpenAPI documents are at hand: the tests that read them are
//! marked ignored, with the reason, when `CAMUNDA_OPENAPI_DIR` is not set.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CAMUNDA_OPENAPI_DIR");
    println!("cargo:rustc-check-cfg=cfg(camunda_openapi_dir)");
    if std::env::var_os("CAMUNDA_OPENAPI_DIR").is_some_and(|dir| !dir.is_empty()) {
        println!("cargo:rustc-cfg=camunda_openapi_dir");
    }
}
