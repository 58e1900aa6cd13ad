//! Builds an [`Item`] from a YAML mapping (front matter, a YAML entry, or a section's fields)
//! and its Markdown body: field meanings, links, overrides, risk records and text regions.

use std::ops::Range;
use std::sync::Arc;

use crate::parse::markdown::MarkdownBody;
use crate::parse::yaml::{YamlNode, YamlValue};
use crate::source::{LineIndex, Span};

use super::super::item::{
    Item, Link, LinkKind, LinkTarget, RiskAcceptance, Spanned, Sprint, Suppression, TextRegion,
    TextRole, TriageOverride, Veto,
};
use super::super::layout::{Collection, ItemPlace};
use super::super::paths;
use super::super::vocab::{Kind, Status};
use super::backlog_md::dod_entries_from_yaml;
use super::body::{body_dod, body_regions, spike_answers};
use super::{LoadContext, ParseFailure};

/// Builds items of one file.
pub(super) struct ItemBuilder<'a> {
    pub(super) index: &'a LineIndex<'a>,
    /// The file's path, shared by the items built from it.
    pub(super) path: &'a Arc<str>,
    pub(super) place: &'a ItemPlace,
    pub(super) cx: LoadContext<'a>,
}

impl ItemBuilder<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        self.index.span(range)
    }

    fn spanned_scalar(&self, node: &YamlNode) -> Option<Spanned<String>> {
        node.as_scalar_string()
            .map(|v| Spanned::new(v, self.span(node.span.clone())))
    }

    fn field<'n>(
        &self,
        node: &'n YamlNode,
        names: &[String],
    ) -> Option<(&'n YamlNode, &'n YamlNode)> {
        names.iter().find_map(|name| node.entry(name))
    }

    /// An `id` that is a list or a mapping: one id is one value. The item is still read, under
    /// the id derived from its place (`derived_id`).
    pub(super) fn id_problem(&self, node: &YamlNode, derived_id: &str) -> Option<ParseFailure> {
        let (_, value) = self.field(node, &self.cx.fields.id)?;
        let shape = match &value.value {
            YamlValue::Seq(_) => "a list",
            YamlValue::Map(_) => "a mapping",
            _ => return None,
        };
        Some(ParseFailure {
            span: self.span(value.span.clone()),
            message: format!(
                "`id` is {shape}; an id is one value (the item is read as `{}`)",
                crate::source::one_line(derived_id)
            ),
        })
    }

    pub(super) fn build(
        &self,
        node: &YamlNode,
        body: Option<&MarkdownBody>,
        collection: &Collection,
        derived_id: &str,
    ) -> Item {
        let f = self.cx.fields;
        let text = self.index.text();
        let id_field = self.field(node, &f.id);
        let id_value = id_field.and_then(|(_, v)| self.spanned_scalar(v));
        let (id, id_derived) = match &id_value {
            Some(v) if !v.value.trim().is_empty() => (v.value.trim().to_string(), false),
            _ => (derived_id.to_string(), true),
        };
        let title_field = self.field(node, &f.title);
        let title_value = title_field.and_then(|(_, v)| self.spanned_scalar(v));
        let title = title_value
            .as_ref()
            .map(|t| crate::source::one_line(&t.value))
            .unwrap_or_else(|| id.clone());

        let labels = self
            .field(node, &f.labels)
            .map(|(_, v)| self.string_list(v))
            .unwrap_or_default();
        let labelled_spike = labels.iter().any(|l| l.value.eq_ignore_ascii_case("spike"));

        let kind_field = self.field(node, &f.kind);
        let kind = match kind_field.and_then(|(_, v)| self.spanned_scalar(v)) {
            Some(v) => Kind::parse(&v.value),
            None => Kind::Unspecified,
        };
        let kind = match kind {
            Kind::Unspecified if labelled_spike => Kind::Spike,
            Kind::Unspecified => collection
                .kind
                .clone()
                .or_else(|| self.place.folder_kind.clone())
                .unwrap_or(Kind::Unspecified),
            other => other,
        };

        let (status, status_at) = match self
            .field(node, &f.status)
            .and_then(|(_, v)| self.spanned_scalar(v))
        {
            Some(v) => (self.cx.statuses.normalise(&v.value), Some(v.span)),
            None => (collection.status.clone().unwrap_or(Status::Missing), None),
        };

        let sprint = self
            .field(node, &f.sprint)
            .and_then(|(_, v)| self.spanned_scalar(v))
            .map(|v| Sprint {
                raw: v.value,
                at: v.span,
            });

        let mut links = Vec::new();
        for (names, kind) in [
            (&f.spikes, LinkKind::Spike),
            (&f.dependencies, LinkKind::Dependency),
            (&f.reverse, LinkKind::Reverse),
        ] {
            for name in names {
                if let Some(value) = node.get(name) {
                    for target in self.string_list(value) {
                        links.push(self.link(kind, name, target));
                    }
                }
            }
        }
        let parent = f.parent.iter().find_map(|name| {
            let value = node.get(name)?;
            let target = self.string_list(value).into_iter().next()?;
            Some(self.link(LinkKind::Parent, name, target))
        });

        let covers = self
            .field(node, &f.covers)
            .map(|(_, v)| self.string_list(v));
        let triage_override = self
            .field(node, &f.triage)
            .map(|(k, v)| self.triage_override(k, v));
        let risk = self
            .field(node, &f.risk)
            .map(|(k, v)| self.risk_acceptances(k, v))
            .unwrap_or_default();
        let veto = self.field(node, &f.veto).and_then(|(k, v)| self.veto(k, v));

        let mut dod = Vec::new();
        let mut dod_at = None;
        if let Some((key, value)) = self.field(node, &f.dod) {
            dod = dod_entries_from_yaml(value, self.index);
            dod_at = Some(self.span(key.span.clone()));
        }

        let mut suppressions = self
            .field(node, &f.suppressions)
            .map(|(_, v)| self.suppressions(v))
            .unwrap_or_default();

        // Text regions: title and YAML text fields first, then the Markdown body.
        let mut regions = Vec::new();
        if let Some(t) = &title_value {
            regions.push(TextRegion {
                role: TextRole::Title,
                range: t.span.range(),
            });
        }
        for (names, role) in [
            (&f.description, TextRole::Description),
            (&f.acceptance, TextRole::Acceptance),
        ] {
            for name in names {
                if let Some(value) = node.get(name) {
                    self.text_regions(value, role, &mut regions);
                }
            }
        }

        let is_spike = kind == Kind::Spike || labelled_spike;
        let answers = body
            .filter(|_| is_spike)
            .map(|body| Box::new(spike_answers(text, body, self.index)));
        if let Some(body) = body {
            body_regions(text, body, &mut regions);
            for link in &body.links {
                if let Some(target) = body_link_target(&link.dest, self.path) {
                    links.push(Link {
                        kind: LinkKind::Body,
                        target,
                        raw: link.dest.clone(),
                        field: "body".to_string(),
                        at: self.span(link.range.clone()),
                    });
                }
            }
            if dod.is_empty() {
                if let Some((entries, at)) = body_dod(text, body, self.index) {
                    dod = entries;
                    dod_at = Some(at);
                }
            }
            for html in &body.html {
                if let Some(s) = super::super::suppress::parse_comment(
                    &text[html.clone()],
                    html.start,
                    self.index,
                ) {
                    suppressions.push(s);
                }
            }
        }

        let extra_fields = self.extra_fields(node);
        let start = id_field
            .map(|(k, _)| self.span(k.span.clone()))
            .or_else(|| {
                node.as_map()
                    .and_then(|m| m.first())
                    .map(|(k, _)| self.span(k.span.clone()))
            })
            .unwrap_or_else(|| self.span(node.span.clone()));
        let at = title_value
            .as_ref()
            .map(|t| t.span)
            .or_else(|| id_value.as_ref().map(|v| v.span))
            .unwrap_or(start);

        Item {
            id_at: if id_derived {
                None
            } else {
                id_value.as_ref().map(|v| v.span)
            },
            id,
            id_derived,
            source: self.index.source(),
            path: Arc::clone(self.path),
            title,
            kind,
            status,
            status_at,
            labels: labels.into(),
            sprint: sprint.map(Box::new),
            parent: parent.map(Box::new),
            links: links.into(),
            covers: covers.map(Into::into),
            triage_override: triage_override.map(Box::new),
            risk: risk.into(),
            veto: veto.map(Box::new),
            dod_copy_key: super::super::dod::copy_key(dod.iter().map(|e| e.text.as_str())),
            dod: dod.into(),
            dod_at,
            suppressions: suppressions.into(),
            archived: self.place.archived,
            at,
            start,
            extra_fields: extra_fields.into(),
            regions: regions.into(),
            answers,
        }
    }

    /// A list of scalars, or a comma-separated string, each with its own span.
    fn string_list(&self, node: &YamlNode) -> Vec<Spanned<String>> {
        match &node.value {
            YamlValue::Seq(items) => items
                .iter()
                .filter_map(|n| self.spanned_scalar(n))
                .map(|s| Spanned::new(s.value.trim().to_string(), s.span))
                .filter(|s| !s.value.is_empty())
                .collect(),
            YamlValue::Str(s) => {
                let raw = &self.index.text()[node.span.clone()];
                let mut out = Vec::new();
                let mut search_from = 0;
                for part in s.split(',') {
                    let part = part.trim();
                    if part.is_empty() {
                        continue;
                    }
                    let range = match raw[search_from.min(raw.len())..].find(part) {
                        Some(i) => {
                            let start = node.span.start + search_from + i;
                            search_from += i + part.len();
                            start..start + part.len()
                        }
                        None => node.span.clone(),
                    };
                    out.push(Spanned::new(part.to_string(), self.span(range)));
                }
                out
            }
            YamlValue::Int(_) | YamlValue::Float(_) | YamlValue::Bool(_) => {
                self.spanned_scalar(node).into_iter().collect()
            }
            YamlValue::Null | YamlValue::Map(_) => Vec::new(),
        }
    }

    fn link(&self, kind: LinkKind, field: &str, value: Spanned<String>) -> Link {
        Link {
            kind,
            target: field_link_target(&value.value, self.path),
            raw: value.value,
            field: field.to_string(),
            at: value.span,
        }
    }

    fn text_regions(&self, node: &YamlNode, role: TextRole, out: &mut Vec<TextRegion>) {
        match &node.value {
            YamlValue::Str(_) => out.push(TextRegion {
                role,
                range: node.span.clone(),
            }),
            YamlValue::Seq(items) => {
                for item in items {
                    self.text_regions(item, role, out);
                }
            }
            YamlValue::Map(entries) => {
                for (_, value) in entries {
                    if matches!(value.value, YamlValue::Str(_)) {
                        self.text_regions(value, role, out);
                    }
                }
            }
            _ => {}
        }
    }

    fn triage_override(&self, key: &YamlNode, value: &YamlNode) -> TriageOverride {
        let mut disabled = Vec::new();
        let mut confirmed = Vec::new();
        let mut reason = None;
        if let Some(entries) = value.as_map() {
            for (k, v) in entries {
                let Some(name) = k.as_str() else { continue };
                if name == "reason" {
                    reason = self
                        .spanned_scalar(v)
                        .filter(|r| !r.value.trim().is_empty());
                } else if v.value == YamlValue::Bool(false)
                    || v.as_str().is_some_and(|s| {
                        matches!(
                            s.trim().to_ascii_lowercase().as_str(),
                            "no" | "off" | "false" | "n/a"
                        )
                    })
                {
                    disabled.push(Spanned::new(name.to_string(), self.span(k.span.clone())));
                } else if v.value == YamlValue::Bool(true)
                    || v.as_str().is_some_and(|s| {
                        matches!(
                            s.trim().to_ascii_lowercase().as_str(),
                            "yes" | "on" | "true"
                        )
                    })
                {
                    confirmed.push(Spanned::new(name.to_string(), self.span(k.span.clone())));
                }
            }
        }
        TriageOverride {
            disabled,
            confirmed,
            reason,
            at: self.span(key.span.clone()),
        }
    }

    fn risk_acceptances(&self, key: &YamlNode, value: &YamlNode) -> Vec<RiskAcceptance> {
        let at = self.span(key.span.clone());
        match &value.value {
            YamlValue::Seq(items) => items.iter().map(|n| self.risk_acceptance(at, n)).collect(),
            _ => vec![self.risk_acceptance(at, value)],
        }
    }

    fn risk_acceptance(&self, at: Span, value: &YamlNode) -> RiskAcceptance {
        let mut record = RiskAcceptance {
            decision: None,
            by: None,
            role: None,
            date: None,
            note: None,
            at,
            shape_errors: Vec::new(),
        };
        let Some(entries) = value.as_map() else {
            record.shape_errors.push(Spanned::new(
                "`risk_acceptance` must be a mapping: {decision, by, role, date, note}".to_string(),
                self.span(value.span.clone()),
            ));
            return record;
        };
        for (k, v) in entries {
            let Some(name) = k.as_str() else { continue };
            let slot = match name {
                "decision" => &mut record.decision,
                "by" | "accepted_by" => &mut record.by,
                "role" => &mut record.role,
                "date" | "on" => &mut record.date,
                "note" | "notes" | "reason" => &mut record.note,
                other => {
                    record.shape_errors.push(Spanned::new(
                        format!(
                            "unknown `risk_acceptance` field `{other}` (expected decision, by, \
                             role, date, note)"
                        ),
                        self.span(k.span.clone()),
                    ));
                    continue;
                }
            };
            *slot = Some(
                self.spanned_scalar(v)
                    .unwrap_or_else(|| Spanned::new(String::new(), self.span(k.span.clone()))),
            );
        }
        record
    }

    fn veto(&self, key: &YamlNode, value: &YamlNode) -> Option<Veto> {
        if value.is_null() || value.value == YamlValue::Bool(false) {
            return None;
        }
        let mut veto = Veto {
            by: None,
            reason: None,
            lifted: false,
            at: self.span(key.span.clone()),
        };
        if let Some(entries) = value.as_map() {
            for (k, v) in entries {
                match k.as_str() {
                    Some("by") => veto.by = self.spanned_scalar(v),
                    Some("reason") => veto.reason = self.spanned_scalar(v),
                    Some("lifted" | "lifted_on" | "lifted_by") => {
                        veto.lifted = !v.is_null() && v.value != YamlValue::Bool(false);
                    }
                    Some("active") => veto.lifted = v.value == YamlValue::Bool(false),
                    _ => {}
                }
            }
        } else if let Some(reason) = self.spanned_scalar(value) {
            veto.reason = Some(reason);
        }
        Some(veto)
    }

    fn suppressions(&self, value: &YamlNode) -> Vec<Suppression> {
        let Some(list) = value.get("ignore").and_then(YamlNode::as_seq) else {
            return Vec::new();
        };
        list.iter()
            .filter_map(|entry| {
                let rule = entry.get("rule").and_then(YamlNode::as_scalar_string)?;
                Some(Suppression {
                    rule: rule.trim().to_string(),
                    category: entry
                        .get("category")
                        .and_then(YamlNode::as_scalar_string)
                        .map(|c| c.trim().to_string()),
                    reason: entry
                        .get("reason")
                        .and_then(YamlNode::as_scalar_string)
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty()),
                    until: entry.get("until").and_then(|n| self.spanned_scalar(n)),
                    at: self.span(entry.span.clone()),
                })
            })
            .collect()
    }

    fn extra_fields(&self, node: &YamlNode) -> Vec<(String, Spanned<String>)> {
        let f = self.cx.fields;
        let known = |k: &str| {
            [
                &f.id,
                &f.title,
                &f.description,
                &f.acceptance,
                &f.status,
                &f.labels,
                &f.kind,
            ]
            .iter()
            .any(|names| names.iter().any(|n| n == k))
        };
        let mut out = Vec::new();
        if self.cx.detector_fields.is_empty() {
            return out;
        }
        for (k, v) in node.as_map().unwrap_or_default() {
            let Some(key) = k.as_str() else { continue };
            if known(key) {
                continue;
            }
            let key = key.to_ascii_lowercase();
            if !self.cx.detector_fields.contains(&key) {
                continue;
            }
            match &v.value {
                YamlValue::Seq(items) => {
                    for item in items.iter().take(64) {
                        if let Some(s) = self.spanned_scalar(item) {
                            out.push((key.clone(), s));
                        }
                    }
                }
                _ => {
                    if let Some(s) = self.spanned_scalar(v) {
                        out.push((key, s));
                    }
                }
            }
        }
        out
    }
}

/// Resolves a link value from a field: a path when it looks like one, else an id.
fn field_link_target(raw: &str, item_path: &str) -> LinkTarget {
    let value = raw.trim();
    if paths::looks_like_path(value) {
        paths::resolve(item_path, value)
    } else {
        LinkTarget::Id(value.to_string())
    }
}

/// Resolves a Markdown link destination to another item file; URLs and anchors are not links.
fn body_link_target(dest: &str, item_path: &str) -> Option<LinkTarget> {
    let dest = dest.trim();
    if dest.is_empty()
        || dest.starts_with('#')
        || dest.contains("://")
        || dest.starts_with("mailto:")
    {
        return None;
    }
    let decoded = paths::percent_decode(dest);
    let file = decoded.split('#').next().unwrap_or(&decoded);
    let lower = file.to_ascii_lowercase();
    if !(lower.ends_with(".md")
        || lower.ends_with(".markdown")
        || lower.ends_with(".yaml")
        || lower.ends_with(".yml"))
    {
        return None;
    }
    Some(paths::resolve(item_path, &decoded))
}
