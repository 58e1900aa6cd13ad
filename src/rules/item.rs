//! Rules about items as files: they parse, their ids are unique, their statuses are known.

#![allow(
    clippy::indexing_slicing,
    reason = "item indices come from the backlog's own id index"
)]

use crate::diagnostic::Finding;
use crate::model::{Item, Status};
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it checks
    /// An item file whose YAML front matter or YAML document does not parse: a syntax error, an
    /// unclosed `---` block, a document that exceeds backlint's safety limits (nesting depth,
    /// alias expansion, file size), or a file that cannot be read.
    ///
    /// ## Why
    /// An item backlint cannot read is an item nobody checked: its network input or its
    /// authentication change would ship without a threat analysis. backlint reports the file at
    /// the exact place the parser stopped and keeps checking every other item.
    ///
    /// ## Example
    /// ```yaml
    /// ---
    /// id: TASK-12
    /// assignee: @alice      # `@` cannot start a plain YAML scalar
    /// ---
    /// ```
    ///
    /// ## How to fix
    /// Quote the value (`assignee: "@alice"`), close the front matter with a `---` line, or
    /// split an oversized file.
    pub struct ParseError {
        id: ParseError,
        summary: "front matter or YAML is malformed (span at the error; other items are still checked)",
    }
}

/// The help for a parse failure, by what failed.
fn parse_error_help(message: &str) -> &'static str {
    if message.starts_with("front matter is not closed") {
        "add a `---` line after the last field of the front matter; what follows it is the \
         item's body"
    } else if message.starts_with("cannot read the file") {
        "check that the file exists and is readable, or exclude it (`exclude:` in backlint.yaml)"
    } else {
        "fix the YAML at this place; quote values that start with `@`, `*`, `&`, `!`, `%` or a \
         backtick"
    }
}

impl Check for ParseError {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for failure in &cx.backlog.failures {
            out.push(
                self.finding(failure.message.clone())
                    .at(failure.span, "parsing stopped here")
                    .help(parse_error_help(&failure.message))
                    .content(failure.message.clone()),
            );
        }
    }
}

declare_rule! {
    /// ## What it checks
    /// Two items that share an id (ids compare case-insensitively, and `TASK-059` equals
    /// `task-59`). Items under Backlog.md's `archive/` are not counted: an archived copy of a live
    /// item is expected.
    ///
    /// ## Why
    /// Links name items by id. With two items behind one id, a story's `spikes: [SPIKE-3]` may
    /// resolve to the wrong item, and a threat analysis can appear to exist when it does not.
    ///
    /// ## Example
    /// `backlog/tasks/task-30 - Proxy.md` and `backlog/tasks/task-30 - Dashboard.md` both say
    /// `id: TASK-30`.
    ///
    /// ## How to fix
    /// Give one of them a new id and update the links that meant it.
    pub struct DuplicateId {
        id: DuplicateId,
        summary: "two items share an id (both places shown)",
    }
}

impl Check for DuplicateId {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        for group in cx.backlog.duplicate_ids() {
            let live: Vec<usize> = group.iter().copied().filter(|i| cx.reported(*i)).collect();
            let Some((first, rest)) = live.split_first() else {
                continue;
            };
            for other in rest {
                let item = &items[*other];
                let first_item = &items[*first];
                out.push(
                    self.finding(format!(
                        "id `{}` is used by {} items",
                        one_line(&item.id),
                        live.len()
                    ))
                    .item(*other, &item.id)
                    .at(id_span(item), "this id…")
                    .related(
                        id_span(first_item),
                        format!("…is already used here ({})", first_item.path),
                    )
                    .help("give one of the items a new id and update the links that meant it")
                    .content(format!("{}|{}", first_item.path, item.path)),
                );
            }
        }
    }
}

fn id_span(item: &Item) -> crate::source::Span {
    item.id_at.unwrap_or(item.at)
}

declare_rule! {
    /// ## What it checks
    /// A `status` value that is not in the normalisation table (to do / in progress / done /
    /// cancelled and their common spellings) nor in `statuses:` of backlint.yaml.
    ///
    /// ## Why
    /// backlint orders work by status: a spike must be done before its item starts, and a done
    /// item must record who accepted its residual risk. An unknown status hides both checks.
    ///
    /// ## Example
    /// `status: Parked`
    ///
    /// ## How to fix
    /// Use a known status, or map yours in backlint.yaml:
    /// ```yaml
    /// statuses:
    ///   parked: todo
    /// ```
    pub struct UnknownStatus {
        id: UnknownStatus,
        summary: "status value not in the normalisation table or config",
    }
}

impl Check for UnknownStatus {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (idx, item) in cx.backlog.items.iter().enumerate() {
            let (Status::Unknown(raw), Some(span)) = (&item.status, item.status_at) else {
                continue;
            };
            if !cx.judged(idx) {
                continue;
            }
            let raw = one_line(raw);
            out.push(
                self.finding(format!("{}: unknown status `{raw}`", item.id))
                    .item(idx, &item.id)
                    .at(span, "not a known status")
                    .help(format!(
                        "use todo, in-progress, done or cancelled (or a usual spelling such as \
                         \"To Do\"), or map it in backlint.yaml: `statuses: {{\"{raw}\": todo}}`"
                    ))
                    .content(raw),
            );
        }
    }
}
