//! The OpenAPI 3.1 document at `/api/v1/openapi.json`, written from the operations table
//! and the JSON Schemas of the Rust types (schemars): nothing in it is kept by hand.

use gatehouse_api::{ApiError, OperationVisitor, Run};
use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The whole document.
pub(crate) fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into());
    let mut paths = Paths { generator: settings.into_generator(), paths: Map::new() };
    gatehouse_api::visit_operations(&mut paths);
    let event = paths.generator.subschema_for::<gatehouse_api::StreamEvent>().to_value();
    paths.paths.insert("/api/v1/events".to_owned(), events_path(event));
    let error = paths.generator.subschema_for::<ApiError>();
    let schemas = paths.generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Gatehouse",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every operation is POST /api/v1/<name> with its arguments as a JSON object. \
                Errors carry a stable code (branch on it) and a message for people.",
        },
        "paths": paths.paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {
                    "description": "A coded error (the status follows the code).",
                    "content": { "application/json": { "schema": error } },
                },
            },
            "securitySchemes": { "session": { "type": "http", "scheme": "bearer" } },
        },
    })
}

/// The session's event stream: Server-Sent Events whose `data` is a `StreamEvent`.
fn events_path(event: Value) -> Value {
    json!({ "get": {
        "operationId": "events",
        "summary": "The session's events as Server-Sent Events (event: the type; id: the notice cursor; data: the event as JSON). Send Last-Event-ID to resume after a cursor; a comment line comes every 15 s.",
        "security": [{ "session": [] }],
        "parameters": [{
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "schema": { "type": "integer" },
            "description": "Resume after this cursor: what was missed follows (or a resync when it is too far back).",
        }],
        "responses": {
            "200": { "description": "The stream.", "content": { "text/event-stream": { "schema": event } } },
            "default": { "$ref": "#/components/responses/Error" },
        },
    }})
}

struct Paths {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

impl OperationVisitor for Paths {
    fn visit<O: Run>(&mut self) {
        let request = self.generator.subschema_for::<O>();
        let response = self.generator.subschema_for::<O::Output>();
        let security = if O::NEEDS_SESSION { json!([{ "session": [] }]) } else { json!([]) };
        let operation = json!({
            "operationId": O::NAME,
            "summary": O::SUMMARY,
            "security": security,
            "requestBody": { "required": true, "content": { "application/json": { "schema": request } } },
            "responses": {
                "200": { "description": "Done.", "content": { "application/json": { "schema": response } } },
                "default": { "$ref": "#/components/responses/Error" },
            },
        });
        self.paths.insert(format!("/api/v1/{}", O::NAME), json!({ "post": operation }));
    }
}
