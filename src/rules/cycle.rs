//! `spike/link-cycle`: spike and dependency links that form a cycle. Strongly connected
//! components are found with an iterative Tarjan walk (no recursion, whatever the backlog).

#![allow(
    clippy::indexing_slicing,
    reason = "graph algorithms over node indices built from the backlog in this module"
)]

use std::collections::{HashMap, VecDeque};

use crate::diagnostic::Finding;
use crate::model::LinkKind;
use crate::source::one_line;

use super::{Check, Context, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it checks
    /// Spike and dependency links (`spikes:`, `dependencies:`, `depends_on:`, `blocked_by:`, and a
    /// spike's `precedes:`) that form a cycle: A waits for B, which waits for A.
    ///
    /// ## Why
    /// A threat-analysis spike must be done before its item starts. In a cycle nothing can go
    /// first: the spike can never precede, and the board shows work that can never be started
    /// in the right order.
    ///
    /// ## Example
    /// STORY-12 has `spikes: [SPIKE-3]`; SPIKE-3 has `dependencies: [STORY-12]`.
    ///
    /// ## How to fix
    /// Remove the link that points backwards (usually the spike's dependency on its own item:
    /// use `precedes:` on the spike instead).
    pub struct LinkCycle {
        id: LinkCycle,
        summary: "spike/dependency links form a cycle (the spike can never precede)",
    }
}

/// Edges `from → to` meaning "from waits for to", with the link that makes each.
fn edges(cx: &Context<'_>) -> Vec<Vec<(usize, usize, usize)>> {
    let items = &cx.backlog.items;
    let mut out: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); items.len()];
    for (idx, item) in items.iter().enumerate() {
        for (n, link) in item.links.iter().enumerate() {
            if !link.kind.orders_work() {
                continue;
            }
            let Some(target) = cx.backlog.target(idx, n) else {
                continue;
            };
            match link.kind {
                // The spike precedes the item: the item waits for the spike.
                LinkKind::Reverse if item.is_spike() => out[target].push((idx, idx, n)),
                LinkKind::Reverse => {}
                _ => out[idx].push((target, idx, n)),
            }
        }
    }
    out
}

/// Strongly connected components with more than one node, or a self-loop.
fn cycles(graph: &[Vec<(usize, usize, usize)>]) -> Vec<Vec<usize>> {
    let n = graph.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(frame) = work.last_mut() {
            let v = frame.0;
            if frame.1 == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&(w, _, _)) = graph[v].get(frame.1) {
                frame.1 += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let self_loop = graph[v].iter().any(|(w, _, _)| *w == v);
                if component.len() > 1 || self_loop {
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out
}

/// One concrete cycle inside a component, starting and ending at `start`, as edges.
fn cycle_path(
    graph: &[Vec<(usize, usize, usize)>],
    component: &[usize],
    start: usize,
) -> Vec<(usize, usize, usize)> {
    let member: std::collections::HashSet<usize> = component.iter().copied().collect();
    let mut came_from: HashMap<usize, (usize, usize, usize, usize)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &(w, from, link) in &graph[v] {
            if !member.contains(&w) {
                continue;
            }
            if w == start {
                let mut path = vec![(w, from, link)];
                let mut cur = v;
                while cur != start {
                    let Some(&(prev, to, f, l)) = came_from.get(&cur) else {
                        break;
                    };
                    path.push((to, f, l));
                    cur = prev;
                }
                path.reverse();
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = came_from.entry(w) {
                e.insert((v, w, from, link));
                queue.push_back(w);
            }
        }
    }
    Vec::new()
}

impl Check for LinkCycle {
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let items = &cx.backlog.items;
        let graph = edges(cx);
        for component in cycles(&graph) {
            let Some(&start) = component.iter().find(|i| cx.reported(**i)) else {
                continue;
            };
            let path = cycle_path(&graph, &component, start);
            let Some(&(_, from, link)) = path.first() else {
                continue;
            };
            let mut names = vec![one_line(&items[start].id)];
            names.extend(path.iter().map(|(to, _, _)| one_line(&items[*to].id)));
            let chain = names.join(" → ");
            let mut finding = self
                .finding(format!("spike and dependency links form a cycle: {chain}"))
                .item(start, &items[start].id)
                .at(items[from].links[link].at, "this link starts the cycle")
                .help(
                    "remove the link that points backwards; a spike names the items it analyses \
                     with `precedes:` instead of depending on them",
                )
                .content(
                    component
                        .iter()
                        .map(|i| crate::model::id_key(&items[*i].id))
                        .collect::<Vec<_>>()
                        .join(","),
                );
            for &(to, f, l) in path.iter().skip(1) {
                finding = finding.related(
                    items[f].links[l].at,
                    format!(
                        "{} waits for {}",
                        one_line(&items[f].id),
                        one_line(&items[to].id)
                    ),
                );
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_without_recursion() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 → 0
        let graph = vec![
            vec![(1, 0, 0)],
            vec![(2, 1, 0)],
            vec![(0, 2, 0)],
            vec![(3, 3, 0)],
            vec![(0, 4, 0)],
        ];
        let found = cycles(&graph);
        assert_eq!(found, vec![vec![0, 1, 2], vec![3]]);
        let path = cycle_path(&graph, &[0, 1, 2], 0);
        assert_eq!(path.iter().map(|e| e.0).collect::<Vec<_>>(), vec![1, 2, 0]);

        // A long chain does not overflow the stack.
        let n = 200_000;
        let mut chain: Vec<Vec<(usize, usize, usize)>> =
            (0..n).map(|i| vec![(i + 1, i, 0)]).collect();
        chain[n - 1] = vec![(0, n - 1, 0)];
        assert_eq!(cycles(&chain).len(), 1);
    }
}
