//! Templates that would render forever: a template that includes itself (directly or
//! through others), and a macro that calls itself with nothing that could end it. Tera
//! has no depth limit of its own, so either overflows the stack and aborts the process;
//! this check finds them in the parsed templates before any page is rendered.
//!
//! The rule:
//! - an include cycle is always an error (an included template sees the same data each
//!   time round, so nothing can end it; recursive output is written with a macro);
//! - a cycle of macro calls is an error when one of its calls is not inside an `if` or
//!   a `for`, or when every call on it passes the macro's own arguments unchanged (a
//!   macro sees only its arguments, so the same arguments mean the same path again).
//!   Recursion over data (`self::tree(nodes=node.children)` inside a `for`) is fine.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use tera::ast::{Expr, ExprVal, MacroCall, Node};
use tera::Tera;

/// Where a template's text came from, to name it in messages.
pub struct Source<'a> {
    /// The file shown in messages.
    pub file: PathBuf,
    /// Its text, to find the line of a call.
    pub text: &'a str,
}

/// A macro: (template name, macro name).
type MacroId = (String, String);

/// A call found in a template or a macro body.
struct Call {
    /// Inside an `if` or a `for`.
    guarded: bool,
    /// Passes each of the caller macro's own arguments unchanged (`n=n`), and nothing else.
    same_args: bool,
}

/// Every template that includes itself and every macro that calls itself without end,
/// as errors naming the file and line of the call.
pub fn check(tera: &Tera, sources: &HashMap<String, Source<'_>>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    // Includes: template → included templates.
    let mut includes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, tpl) in &tera.templates {
        let mut found = BTreeSet::new();
        walk_includes(&tpl.ast, &mut found);
        includes.insert(name.clone(), found);
    }
    for name in includes.keys() {
        if let Some(path) = cycle_from(name, &includes) {
            // Reported once, at the first template of the cycle in name order.
            if path.iter().min() == Some(name) {
                let next = &path[1 % path.len()];
                let (file, line) = locate(sources, name, &format!("\"{next}\""), "include");
                let chain = path.iter().chain(std::iter::once(name)).cloned().collect::<Vec<_>>().join(" → ");
                diags.push(
                    Diagnostic::new(file, "template-recursion", format!("テンプレートが自分自身を読み込んでいます({chain})。このままでは終わりません"))
                        .at_opt_line(line)
                        .help("{% include %} の循環をなくしてください。入れ子の一覧を繰り返して書くときは、マクロ({% macro %})を使います"),
                );
            }
        }
    }
    // Macros: caller → callee with the call's traits.
    let mut calls: BTreeMap<MacroId, Vec<(MacroId, Call)>> = BTreeMap::new();
    for (name, tpl) in &tera.templates {
        let namespaces: HashMap<&str, &str> =
            tpl.imported_macro_files.iter().map(|(file, ns)| (ns.as_str(), file.as_str())).collect();
        for (mname, def) in &tpl.macros {
            let params: BTreeSet<&str> = def.args.keys().map(String::as_str).collect();
            let mut found = Vec::new();
            walk_calls(&def.body, false, &mut |call: &MacroCall, guarded| {
                let file = if call.namespace == "self" {
                    name.as_str()
                } else {
                    namespaces.get(call.namespace.as_str()).copied().unwrap_or("")
                };
                if file.is_empty() {
                    return;
                }
                let same_args = call.args.len() == params.len()
                    && call.args.iter().all(|(k, v)| {
                        params.contains(k.as_str())
                            && v.filters.is_empty()
                            && !v.negated
                            && matches!(&v.val, ExprVal::Ident(i) if i == k)
                    });
                found.push(((file.to_string(), call.name.clone()), Call { guarded, same_args }));
            });
            calls.insert((name.clone(), mname.clone()), found);
        }
    }
    let graph: BTreeMap<MacroId, BTreeSet<MacroId>> =
        calls.iter().map(|(k, v)| (k.clone(), v.iter().map(|(c, _)| c.clone()).collect())).collect();
    for id in graph.keys() {
        let Some(path) = cycle_from(id, &graph) else { continue };
        if path.iter().min() != Some(id) {
            continue;
        }
        // The calls along the cycle.
        let steps: Vec<&Call> = (0..path.len())
            .filter_map(|i| {
                let (from, to) = (&path[i], &path[(i + 1) % path.len()]);
                calls.get(from).and_then(|cs| cs.iter().find(|(c, _)| c == to)).map(|(_, call)| call)
            })
            .collect();
        let endless = steps.iter().any(|c| !c.guarded) || steps.iter().all(|c| c.same_args);
        if !endless {
            continue;
        }
        let next = &path[1 % path.len()];
        let (file, line) = locate(sources, &id.0, &format!("::{}(", next.1), &format!("macro {}", id.1));
        let chain = path.iter().chain(std::iter::once(id)).map(|(_, m)| m.as_str()).collect::<Vec<_>>().join(" → ");
        diags.push(
            Diagnostic::new(file, "template-recursion", format!("マクロ {} が自分自身を呼び続けます({chain})。このままでは終わりません", id.1))
                .at_opt_line(line)
                .help("呼び出しを {% if %} か {% for %} の中に置き、呼ぶたびに引数が変わる(例: nodes=node.children)ようにしてください"),
        );
    }
    diags
}

/// The shortest path of the cycle through `start`, if there is one (`[start, …]`).
fn cycle_from<K: Ord + Clone>(start: &K, graph: &BTreeMap<K, BTreeSet<K>>) -> Option<Vec<K>> {
    // Breadth-first from start's successors back to start; bounded by the graph's size.
    let mut prev: BTreeMap<K, K> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::new();
    for next in graph.get(start).into_iter().flatten() {
        if next == start {
            return Some(vec![start.clone()]);
        }
        if !prev.contains_key(next) {
            prev.insert(next.clone(), start.clone());
            queue.push_back(next.clone());
        }
    }
    while let Some(k) = queue.pop_front() {
        for next in graph.get(&k).into_iter().flatten() {
            if next == start {
                let mut path = vec![k.clone()];
                let mut at = k.clone();
                while let Some(p) = prev.get(&at) {
                    if p == start {
                        break;
                    }
                    path.push(p.clone());
                    at = p.clone();
                }
                path.push(start.clone());
                path.reverse();
                return Some(path);
            }
            if !prev.contains_key(next) {
                prev.insert(next.clone(), k.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

/// The file of template `name` and the line of the first `needle` after `anchor`.
fn locate(sources: &HashMap<String, Source<'_>>, name: &str, needle: &str, anchor: &str) -> (PathBuf, Option<usize>) {
    let Some(src) = sources.get(name) else { return (PathBuf::from(name), None) };
    let from = src.text.find(anchor).unwrap_or(0);
    let line = src.text[from..].find(needle).map(|i| crate::diagnostics::line_of(src.text, from + i));
    (src.file.clone(), line)
}

fn walk_includes(nodes: &[Node], out: &mut BTreeSet<String>) {
    for node in nodes {
        match node {
            Node::Include(_, names, _) => out.extend(names.iter().cloned()),
            _ => children(node, &mut |body, _| walk_includes(body, out)),
        }
    }
}

/// Calls `f` with each body nested in `node`, and whether it is conditional.
fn children(node: &Node, f: &mut dyn FnMut(&[Node], bool)) {
    match node {
        Node::MacroDefinition(_, def, _) => f(&def.body, false),
        Node::FilterSection(_, s, _) => f(&s.body, false),
        Node::Block(_, b, _) => f(&b.body, false),
        Node::Forloop(_, l, _) => {
            f(&l.body, true);
            if let Some(e) = &l.empty_body {
                f(e, true);
            }
        }
        Node::If(i, _) => {
            for (_, _, body) in &i.conditions {
                f(body, true);
            }
            if let Some((_, body)) = &i.otherwise {
                f(body, true);
            }
        }
        _ => {}
    }
}

fn walk_calls(nodes: &[Node], guarded: bool, f: &mut dyn FnMut(&MacroCall, bool)) {
    for node in nodes {
        match node {
            Node::VariableBlock(_, e) => walk_expr(e, guarded, f),
            Node::Set(_, s) => walk_expr(&s.value, guarded, f),
            Node::Forloop(_, l, _) => walk_expr(&l.container, guarded, f),
            Node::If(i, _) => {
                // The first condition runs every time; later ones only when earlier fail.
                for (k, (_, cond, _)) in i.conditions.iter().enumerate() {
                    walk_expr(cond, guarded || k > 0, f);
                }
            }
            Node::FilterSection(_, s, _) => s.filter.args.values().for_each(|e| walk_expr(e, guarded, f)),
            // A macro defined here is walked as its own macro.
            Node::MacroDefinition(..) => continue,
            _ => {}
        }
        children(node, &mut |body, conditional| walk_calls(body, guarded || conditional, f));
    }
}

fn walk_expr(e: &Expr, guarded: bool, f: &mut dyn FnMut(&MacroCall, bool)) {
    for filter in &e.filters {
        filter.args.values().for_each(|a| walk_expr(a, guarded, f));
    }
    match &e.val {
        ExprVal::MacroCall(call) => {
            f(call, guarded);
            call.args.values().for_each(|a| walk_expr(a, guarded, f));
        }
        ExprVal::FunctionCall(call) => call.args.values().for_each(|a| walk_expr(a, guarded, f)),
        ExprVal::Math(m) => {
            walk_expr(&m.lhs, guarded, f);
            walk_expr(&m.rhs, guarded, f);
        }
        ExprVal::Logic(l) => {
            walk_expr(&l.lhs, guarded, f);
            // `a and m()` / `a or m()`: the right side may not run.
            walk_expr(&l.rhs, true, f);
        }
        ExprVal::In(i) => {
            walk_expr(&i.lhs, guarded, f);
            walk_expr(&i.rhs, guarded, f);
        }
        ExprVal::Test(t) => t.args.iter().for_each(|a| walk_expr(a, guarded, f)),
        ExprVal::Array(items) => items.iter().for_each(|a| walk_expr(a, guarded, f)),
        ExprVal::StringConcat(s) => {
            for v in &s.values {
                walk_expr(&Expr { val: v.clone(), negated: false, filters: Vec::new() }, guarded, f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(templates: &[(&str, &str)]) -> Diagnostics {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.to_vec()).unwrap();
        let sources = templates
            .iter()
            .map(|(n, t)| (n.to_string(), Source { file: PathBuf::from(format!("themes/x/templates/{n}")), text: t }))
            .collect();
        check(&tera, &sources)
    }

    #[test]
    fn regression_a_template_that_includes_itself_is_an_error() {
        let d = run(&[("page.html", "<p>\n{% include \"page.html\" %}</p>")]);
        assert_eq!(d.len(), 1, "{d}");
        let d = &d.0[0];
        assert_eq!((d.rule, d.line), ("template-recursion", Some(2)));
        assert!(d.file.ends_with("page.html"));
    }

    #[test]
    fn an_include_cycle_through_two_templates_is_reported_once() {
        let d = run(&[
            ("a.html", "{% include \"b.html\" %}"),
            ("b.html", "x\n{% if y %}{% include \"a.html\" %}{% endif %}"),
        ]);
        assert_eq!(d.len(), 1, "{d}");
        assert!(d.0[0].message.contains("a.html → b.html → a.html"), "{d}");
    }

    #[test]
    fn regression_a_macro_that_calls_itself_is_an_error() {
        let d = run(&[("m.html", "{% macro m() %}\n{{ self::m() }}\n{% endmacro m %}")]);
        assert_eq!(d.len(), 1, "{d}");
        assert_eq!(d.0[0].line, Some(2));
        // Inside an if, but with the same arguments: still endless.
        let d = run(&[("m.html", "{% macro m(n) %}{% if n %}{{ self::m(n=n) }}{% endif %}{% endmacro m %}")]);
        assert_eq!(d.len(), 1, "{d}");
        // Unguarded, with changing arguments: endless too.
        let d = run(&[("m.html", "{% macro m(n) %}{{ self::m(n=n-1) }}{% endmacro m %}")]);
        assert_eq!(d.len(), 1, "{d}");
    }

    #[test]
    fn recursion_over_data_is_fine() {
        let tree = "{% macro tree(nodes) %}<ul>{% for n in nodes %}<li>{{ n.title }}{{ self::tree(nodes=n.children) }}</li>{% endfor %}</ul>{% endmacro tree %}";
        assert!(run(&[("m.html", tree)]).is_empty());
        let count = "{% macro c(n) %}{% if n > 0 %}{{ self::c(n=n-1) }}{% endif %}{% endmacro c %}";
        assert!(run(&[("m.html", count)]).is_empty());
    }

    #[test]
    fn mutual_recursion_across_imported_files_is_found() {
        let a = "{% import \"b.html\" as b %}{% macro x() %}{{ b::y() }}{% endmacro x %}";
        let b = "{% import \"a.html\" as a %}{% macro y() %}{{ a::x() }}{% endmacro y %}";
        let d = run(&[("a.html", a), ("b.html", b)]);
        assert_eq!(d.len(), 1, "{d}");
    }

    #[test]
    fn the_default_theme_has_no_endless_recursion() {
        let dir = tempfile::tempdir().unwrap();
        super::super::templates::load_templates(dir.path(), "default").unwrap();
    }
}
