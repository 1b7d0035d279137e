//! Installed Software and Layers: what the image holds, where it came
//! from, and how many findings each package and layer carries.

use std::collections::BTreeMap;

use portcullis_types::{Digest, Ecosystem};

use super::escape::Esc;
use super::vulns::toolbar;
use super::{human_size, severity_badge, short_digest, w, ImageView};

/// (ecosystem, name, version) → (findings, highest severity).
type PerPackage<'a> = BTreeMap<(Ecosystem, &'a str, &'a str), (u64, u8)>;

fn per_package<'a>(v: &ImageView<'a>) -> PerPackage<'a> {
    let mut m: PerPackage<'a> = BTreeMap::new();
    for f in &v.image.findings {
        let e = m
            .entry((
                f.package.ecosystem,
                f.package.name.as_str(),
                f.package.version.as_str(),
            ))
            .or_default();
        e.0 += 1;
        e.1 = e.1.max(f.severity);
    }
    m
}

fn unscanned(out: &mut String, v: &ImageView<'_>) -> bool {
    if v.image.error.is_some() {
        out.push_str("<p class=\"empty\">The image could not be scanned.</p>\n</div>\n");
        return true;
    }
    false
}

pub(super) fn software_view(out: &mut String, views: &[ImageView<'_>]) {
    for v in views {
        v.open(out);
        v.heading(out, "software");
        if unscanned(out, v) {
            continue;
        }
        let packages = &v.image.inventory.packages;
        if packages.is_empty() {
            out.push_str("<p class=\"empty\">No packages found.</p>\n</div>\n");
            continue;
        }
        let counts = per_package(v);
        let id = format!("table-software-{}", v.key);
        toolbar(out, &id, "<label class=\"check\"><input type=\"checkbox\" data-filter=\"vulnerable\"> with findings only</label>");
        w!(
            out,
            "<div class=\"scroll\"><table class=\"data sortable\" id=\"{id}\"><thead><tr>\
<th data-sort=\"text\">Package</th><th data-sort=\"text\">Version</th><th data-sort=\"text\">Ecosystem</th>\
<th data-sort=\"text\">Package URL</th><th data-sort=\"num\">Layer</th><th data-sort=\"num\">Findings</th></tr></thead><tbody>\n"
        );
        for p in packages {
            let (n, top) = counts
                .get(&(p.ecosystem, p.name.as_str(), p.version.as_str()))
                .copied()
                .unwrap_or((0, 0));
            w!(
                out,
                "<tr data-vulnerable=\"{}\"><td><span class=\"pkg\">{}</span>",
                n > 0,
                Esc(&p.name)
            );
            if let Some(src) = p.source_name.as_deref().filter(|s| *s != p.name) {
                w!(out, "<div class=\"muted small\">source {}</div>", Esc(src));
            }
            w!(
                out,
                "</td><td><code>{}</code></td><td><span class=\"eco\">{}</span></td><td class=\"purl\"><code>{}</code></td>",
                Esc(&p.version),
                p.ecosystem.as_str(),
                Esc(&p.purl)
            );
            layer_cell(out, v, p.layer.as_ref());
            if n == 0 {
                out.push_str("<td data-v=\"0\"><span class=\"muted\">0</span></td></tr>\n");
            } else {
                w!(
                    out,
                    "<td data-v=\"{n}\"><b>{n}</b> {}</td></tr>\n",
                    severity_badge(top)
                );
            }
        }
        out.push_str("</tbody></table></div>\n</div>\n");
    }
}

fn layer_cell(out: &mut String, v: &ImageView<'_>, layer: Option<&Digest>) {
    match (layer, v.layer_label(layer)) {
        (Some(d), Some((n, base))) => w!(
            out,
            "<td class=\"nowrap\" data-v=\"{n}\"><span title=\"{}\">#{n}</span> <span class=\"origin {o}\">{o}</span></td>",
            Esc(&d.to_string()),
            o = if base { "base" } else { "own" }
        ),
        (Some(d), None) => w!(
            out,
            "<td data-v=\"999\"><code>{}</code></td>",
            Esc(&short_digest(d))
        ),
        (None, _) => out.push_str("<td data-v=\"999\"><span class=\"muted\">—</span></td>"),
    }
}

pub(super) fn layers_view(out: &mut String, views: &[ImageView<'_>]) {
    for v in views {
        v.open(out);
        v.heading(out, "layers");
        if unscanned(out, v) {
            continue;
        }
        let layers = &v.image.inventory.image.layers;
        if layers.is_empty() {
            out.push_str("<p class=\"empty\">No layer information.</p>\n</div>\n");
            continue;
        }
        // diff_id → (packages introduced, findings, highest severity)
        let mut per_layer: BTreeMap<&Digest, (u64, u64, u8)> = BTreeMap::new();
        for p in &v.image.inventory.packages {
            if let Some(d) = &p.layer {
                per_layer.entry(d).or_default().0 += 1;
            }
        }
        for f in &v.image.findings {
            if let Some(d) = &f.layer {
                let e = per_layer.entry(d).or_default();
                e.1 += 1;
                e.2 = e.2.max(f.severity);
            }
        }
        let base_count = layers
            .iter()
            .filter(|l| v.image.base_layers.contains(&l.diff_id))
            .count();
        w!(
            out,
            "<p class=\"muted\">{} layers, {} from the base image, {} total.</p>\n",
            layers.len(),
            base_count,
            human_size(v.image.inventory.image.total_size)
        );
        out.push_str("<div class=\"scroll\"><table class=\"data layers\"><thead><tr><th class=\"n\">#</th><th>diff_id</th><th class=\"n\">Size</th><th>Created by</th><th>Origin</th><th class=\"n\">Packages</th><th>Findings</th></tr></thead><tbody>\n");
        for (i, l) in layers.iter().enumerate() {
            let base = v.image.base_layers.contains(&l.diff_id);
            let (pk, fi, top) = per_layer.get(&l.diff_id).copied().unwrap_or_default();
            let o = if base { "base" } else { "own" };
            w!(
                out,
                "<tr class=\"{o}\"><td class=\"n\">{n}</td><td><code title=\"{full}\">{short}</code></td><td class=\"n\">{size}</td><td class=\"cmd\"><code>{cmd}</code></td><td><span class=\"origin {o}\">{o}</span></td><td class=\"n\">{pk}</td><td>",
                n = i + 1,
                full = Esc(&l.diff_id.to_string()),
                short = Esc(&short_digest(&l.diff_id)),
                size = human_size(l.size),
                cmd = Esc(l.created_by.as_deref().unwrap_or("—").trim()),
            );
            if fi == 0 {
                out.push_str("<span class=\"muted\">0</span>");
            } else {
                w!(out, "<b>{fi}</b> {}", severity_badge(top));
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody></table></div>\n</div>\n");
    }
}
