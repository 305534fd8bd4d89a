//! The schema documents itself: every type, field, argument, input field and enum value the
//! server serves carries a description, so GraphiQL, codegen and the SDL read as a reference.
//! [`undocumented`] lists what does not; a test keeps the list empty.

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};

/// Every type, field, argument, input field and enum value of `sdl` without a description,
/// as `Type`, `Type.field`, `Type.field(argument)` or `Enum.VALUE`.
pub fn undocumented(sdl: &str) -> Result<Vec<String>, String> {
    let doc = parse_schema(sdl).map_err(|e| e.to_string())?;
    let mut missing = Vec::new();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let t = t.node;
        let name = t.name.node.to_string();
        if t.description.is_none() {
            missing.push(name.clone());
        }
        match t.kind {
            TypeKind::Object(o) => fields(&name, &o.fields, &mut missing),
            TypeKind::Interface(i) => fields(&name, &i.fields, &mut missing),
            TypeKind::InputObject(i) => {
                for f in &i.fields {
                    if f.node.description.is_none() {
                        missing.push(format!("{name}.{}", f.node.name.node));
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.values {
                    if v.node.description.is_none() {
                        missing.push(format!("{name}.{}", v.node.value.node));
                    }
                }
            }
            TypeKind::Scalar | TypeKind::Union(_) => {}
        }
    }
    Ok(missing)
}

fn fields(
    owner: &str,
    fields: &[async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>],
    missing: &mut Vec<String>,
) {
    for f in fields {
        let field = &f.node;
        if field.description.is_none() {
            missing.push(format!("{owner}.{}", field.name.node));
        }
        for a in &field.arguments {
            if a.node.description.is_none() {
                missing.push(format!("{owner}.{}({})", field.name.node, a.node.name.node));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_finds_what_has_no_description() {
        let sdl = "\"A thing.\"\ntype Thing {\n  \"Its name.\"\n  name(\"In which language.\" lang: String, short: Boolean): String\n  size: Int\n}\nenum Colour {\n  \"Red.\"\n  RED\n  BLUE\n}\n";
        assert_eq!(
            undocumented(sdl),
            Ok(vec![
                "Thing.name(short)".to_owned(),
                "Thing.size".to_owned(),
                "Colour".to_owned(),
                "Colour.BLUE".to_owned(),
            ])
        );
    }

    #[test]
    fn every_type_field_argument_and_value_the_server_serves_is_described() {
        let missing = undocumented(&crate::graphql::sdl()).expect("the served SDL parses");
        assert!(
            missing.is_empty(),
            "{} schema elements have no description (a doc comment, or `desc = \"…\"` on an \
             argument):\n{}",
            missing.len(),
            missing.join("\n")
        );
    }
}
