//! The stage-by-stage API produces exactly what `generate` produces.

use camunda7_codegen::{generate, stages, Settings};
use std::path::Path;

#[test]
fn stages_in_sequence_equal_generate() -> Result<(), String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/external-task.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let settings = Settings::camunda7_client();

    let doc = stages::parse(&text).map_err(|f| f.to_string())?;
    let (model, warnings) = stages::model(&doc, &settings).map_err(|f| f.to_string())?;
    let file = stages::emit(&model).map_err(|f| f.to_string())?;
    let code = stages::format(&model, &file);

    let whole = generate(&text, &settings).map_err(|f| f.to_string())?;
    assert_eq!(code, whole.code);
    assert_eq!(warnings, whole.warnings);
    assert!(code.contains("pub async fn fetch_and_lock("));
    Ok(())
}

#[test]
fn model_stage_reports_a_dangling_reference() -> Result<(), String> {
    let text = r##"
openapi: 3.0.2
info: {title: T, version: "1"}
paths:
  /a:
    post:
      operationId: a
      tags: [A]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Missing"}
      responses: {"204": {description: ok}}
"##;
    let doc = stages::parse(text).map_err(|f| f.to_string())?;
    match stages::model(&doc, &Settings::default()) {
        Ok(_) => Err("a dangling $ref must fail the model stage".into()),
        Err(failure) => {
            assert!(failure.to_string().contains("Missing"), "{failure}");
            Ok(())
        }
    }
}
