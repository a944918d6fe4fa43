//! The one place a `$ref` is followed. Every reader of a loaded API (the generator, the
//! surface, the settings checks, the CLI table, the contract tests, the docs comparison) asks
//! these lookups for a schema, parameter, request body or response instead of matching on
//! references itself: typed nodes of the merged document, or, for the docs comparison, which
//! reads extensions as written, the same nodes as JSON with the file that defines them.
//!
//! Every reference names a component (`#/components/<kind>/<name>`, or the same in
//! `_common.yaml`), and the loader has checked that it exists, so a lookup that finds nothing
//! means the node is not of the kind asked for.

use openapiv3::{
    Components, Example, MediaType, OpenAPI, Operation, Parameter, ReferenceOr, RequestBody,
    Response, Schema, StatusCode,
};

use serde_json::Value;

use crate::spec::{COMMON_FILE, LoadedApi};

/// How many references in a row are followed before a chain counts as a cycle.
const MAX_CHAIN: usize = 16;

/// The component a `$ref` names: (kind as in `components`, name). A reference into
/// `_common.yaml` names the same component as the local one the merge rewrites it to.
fn component_ref(reference: &str) -> Option<(&str, &str)> {
    let local = reference.strip_prefix(COMMON_FILE).unwrap_or(reference);
    local.strip_prefix("#/components/")?.split_once('/')
}

/// Where a component is defined: its file and its JSON pointer there.
pub type Definition<'a> = (&'a str, String);

/// The name a `$ref` gives (its last segment), or `None` for an inline item.
pub fn ref_name<T>(item: &ReferenceOr<T>) -> Option<&str> {
    match item {
        ReferenceOr::Reference { reference } => reference.rsplit('/').next(),
        ReferenceOr::Item(_) => None,
    }
}

/// The name of a response's JSON body schema, when it is a `$ref` to a named schema.
pub fn body_schema_name(response: &Response) -> Option<&str> {
    ref_name(response.content.get("application/json")?.schema.as_ref()?)
}

/// Where an operation's parameter goes on the wire, as the spec writes it (`in`).
pub fn location(p: &Parameter) -> &'static str {
    match p {
        Parameter::Path { .. } => "path",
        Parameter::Query { .. } => "query",
        Parameter::Header { .. } => "header",
        Parameter::Cookie { .. } => "cookie",
    }
}

/// Follows `item` through `components.<kind>` of `spec` until it is an item.
fn follow<'a, T>(
    spec: &'a OpenAPI,
    mut item: &'a ReferenceOr<T>,
    kind: &str,
    table: impl Fn(&'a Components, &str) -> Option<&'a ReferenceOr<T>>,
) -> Option<&'a T> {
    for _ in 0..MAX_CHAIN {
        match item {
            ReferenceOr::Item(found) => return Some(found),
            ReferenceOr::Reference { reference } => {
                let (of_kind, name) = component_ref(reference)?;
                if of_kind != kind {
                    return None;
                }
                item = table(spec.components.as_ref()?, name)?;
            }
        }
    }
    None
}

/// A response of `spec`, its `$ref` followed: for the generator's passes over a copy of the
/// document that progenitor reads (the same lookup as [`LoadedApi::response`]).
pub fn response_in<'a>(spec: &'a OpenAPI, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
    follow(spec, r, "responses", |c, name| c.responses.get(name))
}

impl LoadedApi {
    /// A schema, its `$ref`s followed.
    pub fn schema<'a>(&'a self, schema: &'a ReferenceOr<Schema>) -> Option<&'a Schema> {
        follow(&self.merged, schema, "schemas", |c, name| {
            c.schemas.get(name)
        })
    }

    /// A property or item schema (boxed in the model), its `$ref`s followed.
    pub fn boxed_schema<'a>(&'a self, schema: &'a ReferenceOr<Box<Schema>>) -> Option<&'a Schema> {
        match schema {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { reference } => match component_ref(reference)? {
                ("schemas", name) => self.schema_named(name),
                _ => None,
            },
        }
    }

    /// The component schema `name` (`components.schemas`), its `$ref`s followed.
    pub fn schema_named(&self, name: &str) -> Option<&Schema> {
        self.schema(self.merged.components.as_ref()?.schemas.get(name)?)
    }

    /// A parameter of an operation, its `$ref` followed.
    pub fn parameter<'a>(&'a self, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
        follow(&self.merged, p, "parameters", |c, name| {
            c.parameters.get(name)
        })
    }

    /// An operation's parameters, their `$ref`s followed.
    pub fn parameters<'a>(&'a self, op: &'a Operation) -> impl Iterator<Item = &'a Parameter> {
        op.parameters.iter().filter_map(|p| self.parameter(p))
    }

    /// An operation's parameters as the mocks and docs name them: (name in the spec, where,
    /// description).
    pub fn parameter_list(&self, op: &Operation) -> Vec<(String, &'static str, Option<String>)> {
        self.parameters(op)
            .map(|p| {
                let data = p.parameter_data_ref();
                (data.name.clone(), location(p), data.description.clone())
            })
            .collect()
    }

    /// An operation's request body, its `$ref` followed.
    pub fn request_body<'a>(&'a self, op: &'a Operation) -> Option<&'a RequestBody> {
        follow(
            &self.merged,
            op.request_body.as_ref()?,
            "requestBodies",
            |c, name| c.request_bodies.get(name),
        )
    }

    /// A response, its `$ref` followed.
    pub fn response<'a>(&'a self, r: &'a ReferenceOr<Response>) -> Option<&'a Response> {
        response_in(&self.merged, r)
    }

    /// An operation's documented response for `status`, its `$ref` followed.
    pub fn response_for<'a>(
        &'a self,
        op: &'a Operation,
        status: &StatusCode,
    ) -> Option<&'a Response> {
        self.response(op.responses.responses.get(status)?)
    }

    /// The success an operation documents: its first 2xx status and that response. A response
    /// without `content` (documented as "None", or `204`) is a success with no body.
    pub fn success_response<'a>(&'a self, op: &'a Operation) -> Option<(u16, &'a Response)> {
        op.responses
            .responses
            .keys()
            .filter_map(|code| match code {
                StatusCode::Code(n) if (200..300).contains(n) => Some(*n),
                _ => None,
            })
            .min()
            .and_then(|n| self.response_for(op, &StatusCode::Code(n)).map(|r| (n, r)))
    }

    /// The name of the schema of an operation's JSON request body, when it is a `$ref`.
    pub fn request_schema_name(&self, op: &Operation) -> Option<String> {
        let media = self.request_body(op)?.content.get("application/json")?;
        ref_name(media.schema.as_ref()?).map(str::to_owned)
    }

    /// The name of the schema of an operation's JSON response for `status`, when it is a `$ref`.
    pub fn response_schema_name(&self, op: &Operation, status: &StatusCode) -> Option<String> {
        body_schema_name(self.response_for(op, status)?).map(str::to_owned)
    }

    /// A documented example: `example`, else the first of `examples` that has a value (its
    /// `$ref` followed).
    pub fn example<'a>(
        &'a self,
        example: Option<&'a Value>,
        examples: impl IntoIterator<Item = &'a ReferenceOr<Example>>,
    ) -> Option<&'a Value> {
        example.or_else(|| {
            examples.into_iter().find_map(|e| {
                follow(&self.merged, e, "examples", |c, name| c.examples.get(name))?
                    .value
                    .as_ref()
            })
        })
    }

    /// An error about the API as a whole (`specs/<api>`), not one place in it.
    pub fn error(&self, message: impl Into<String>) -> crate::spec::SpecError {
        crate::spec::SpecError::new(format!("specs/{}", self.name), None, message)
    }

    /// An error about a `[[paginate]]` entry of `api.toml`.
    pub fn paginate_error(&self, message: String) -> crate::spec::SpecError {
        crate::spec::SpecError::new(
            format!("specs/{}/api.toml", self.name),
            Some("paginate".into()),
            message,
        )
    }

    /// The operation a `[[paginate]]` entry names, with its path and method.
    pub fn paginated_operation(
        &self,
        entry: &crate::spec::config::Paginate,
    ) -> Result<(&str, &str, &Operation), crate::spec::SpecError> {
        self.merged
            .operations()
            .find(|(_, _, op)| op.operation_id.as_deref() == Some(entry.operation.as_str()))
            .ok_or_else(|| self.paginate_error(format!("no operation `{}`", entry.operation)))
    }

    /// The documented example of a media type (a request or response body).
    pub fn media_example<'a>(&'a self, media: &'a MediaType) -> Option<&'a Value> {
        self.example(media.example.as_ref(), media.examples.values())
    }

    /// A JSON node of a document (as written or merged), its `$ref`s followed in the merged
    /// document: the node, and the file that defines it when a reference was followed.
    pub fn follow_json<'a>(&'a self, v: &'a Value) -> Result<(&'a Value, Option<&'a str>), String> {
        self.follow_json_at(v)
            .map(|(v, at)| (v, at.map(|(file, _)| file)))
    }

    /// [`Self::follow_json`], with where the node found is written when a reference was
    /// followed: the file that defines it and its JSON pointer there
    /// (`/components/schemas/HuaweiError`), for messages that name a line.
    pub fn follow_json_at<'a>(
        &'a self,
        mut v: &'a Value,
    ) -> Result<(&'a Value, Option<Definition<'a>>), String> {
        let mut at = None;
        for _ in 0..MAX_CHAIN {
            let Some(reference) = v.get("$ref").and_then(Value::as_str) else {
                return Ok((v, at));
            };
            let (kind, name) = component_ref(reference)
                .ok_or_else(|| format!("reference {reference} names no component"))?;
            v = self
                .merged_json
                .get("components")
                .and_then(|c| c.get(kind))
                .and_then(|c| c.get(name))
                .ok_or_else(|| format!("reference {reference} does not resolve"))?;
            at = self
                .owners
                .get(&(kind.to_owned(), name.to_owned()))
                .map(|file| {
                    let pointer = format!("/components/{kind}/{}", crate::spec::escape(name));
                    (file.as_str(), pointer)
                });
        }
        Err(format!("references nest more than {MAX_CHAIN} deep"))
    }
}
