//! Golden-image tests: fixed scenes with every kind and style (drawn exactly, and with the
//! hand-drawn look) are exported and compared with the committed files in
//! `server/tests/golden/`. PNGs may differ by a small per-channel
//! tolerance (anti-aliasing may vary with the CPU's SIMD paths); SVGs are compared as text with
//! line endings and trailing spaces normalised. After an intended change in rendering, run
//! with `INKROOM_BLESS=1` to rewrite the golden files, look at them, and commit them.

use super::*;
use inkroom_core::element::{
    Arrowhead, Color, ElementId, ElementKind, FillStyle, FontFamily, Props, Roundness, StrokeStyle,
    TextAlign, VerticalAlign,
};
use inkroom_core::geom::{Radians, Rect, WorldPoint};
use inkroom_core::index::FracIndex;
use std::path::PathBuf;

/// The largest difference allowed in one colour channel of one pixel.
const CHANNEL_TOLERANCE: u8 = 24;
/// The share of pixels allowed to exceed it (edge pixels where anti-aliasing rounds differently).
const PIXEL_SHARE_TOLERANCE: f64 = 0.002;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn blessing() -> bool {
    std::env::var_os("INKROOM_BLESS").is_some_and(|v| v == "1")
}

struct Builder {
    scene: Scene,
    next: u128,
}

impl Builder {
    /// Adds an element drawn exactly (roughness 0) unless `style` says otherwise.
    fn add(&mut self, mut props: Props, style: impl FnOnce(&mut Props)) {
        props.index = self.scene.next_index();
        props.roughness = 0;
        style(&mut props);
        self.next += 1;
        let e = Element::new(ElementId::from_u128(self.next), props, 0, 0).expect("valid fixture");
        self.scene.insert(e).expect("unique id");
    }
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> Rect {
    Rect::from_corners(WorldPoint::new(x, y), WorldPoint::new(x + w, y + h))
}

fn boxed(kind: ElementKind, r: Rect) -> Props {
    Props::new(
        kind,
        r,
        FracIndex::between(None, None).expect("first index"),
    )
}

fn through(kind: ElementKind, pts: &[(f64, f64)]) -> Props {
    let pts: Vec<WorldPoint> = pts.iter().map(|&(x, y)| WorldPoint::new(x, y)).collect();
    Props::through(
        kind,
        &pts,
        FracIndex::between(None, None).expect("first index"),
    )
    .expect("points")
}

const RED: Color = Color::rgba(0xe0, 0x31, 0x31, 0xff);
const BLUE: Color = Color::rgba(0x19, 0x71, 0xc2, 0xff);
const GREEN: Color = Color::rgba(0x2f, 0x9e, 0x44, 0xff);
const YELLOW: Color = Color::rgba(0xf0, 0x8c, 0x00, 0xff);

/// The hand-drawn look: each shape at artist and cartoonist roughness, every fill style
/// (zigzag and a three-stop gradient among them), sketchy arrows, fixed seeds.
fn sketchy() -> Scene {
    let mut b = Builder {
        scene: Scene::default(),
        next: 0,
    };
    let fills = [
        FillStyle::Hachure,
        FillStyle::CrossHatch,
        FillStyle::Zigzag,
        FillStyle::Solid,
        FillStyle::Gradient,
    ];
    let kinds = [
        ElementKind::Rectangle,
        ElementKind::Diamond,
        ElementKind::Ellipse,
    ];
    for (row, roughness) in [1u8, 2].into_iter().enumerate() {
        for (col, fill) in fills.into_iter().enumerate() {
            let kind = kinds[col % kinds.len()];
            let (x, y) = (col as f64 * 140.0, row as f64 * 110.0);
            b.add(boxed(kind, rect(x, y, 120.0, 80.0)), |p| {
                p.roughness = roughness;
                p.seed = 1000 + (row * 10 + col) as u32;
                p.background_color = [RED, BLUE, GREEN, YELLOW][col % 4];
                p.fill_style = fill;
                if fill == FillStyle::Gradient {
                    p.gradient = Some(inkroom_core::element::Gradient {
                        stops: vec![RED, YELLOW, BLUE],
                        angle: 30.0,
                    });
                }
                p.roundness = if col % 2 == 0 {
                    Roundness::Round
                } else {
                    Roundness::Sharp
                };
            });
        }
    }
    b.add(
        through(
            ElementKind::Arrow,
            &[(0.0, 250.0), (150.0, 230.0), (300.0, 280.0)],
        ),
        |p| {
            p.roughness = 2;
            p.seed = 7;
            p.start_arrowhead = Arrowhead::Bar;
        },
    );
    b.add(
        through(
            ElementKind::Line,
            &[(340.0, 230.0), (420.0, 290.0), (500.0, 230.0)],
        ),
        |p| {
            p.roughness = 1;
            p.seed = 8;
            p.roundness = Roundness::Round;
            p.stroke_style = StrokeStyle::Dashed;
            p.stroke_color = BLUE;
        },
    );
    b.scene
}

/// One of everything: each kind, fill style, stroke style, roundness, arrowhead and font, with
/// rotation and opacity.
fn showcase() -> Scene {
    let mut b = Builder {
        scene: Scene::default(),
        next: 0,
    };
    b.add(
        boxed(ElementKind::Rectangle, rect(0.0, 0.0, 120.0, 80.0)),
        |p| {
            p.background_color = RED;
            p.fill_style = FillStyle::Solid;
            p.stroke_style = StrokeStyle::Dashed;
        },
    );
    b.add(
        boxed(ElementKind::Rectangle, rect(150.0, 0.0, 120.0, 80.0)),
        |p| {
            p.roundness = Roundness::Round;
            p.background_color = BLUE;
            p.fill_style = FillStyle::Hachure;
            p.stroke_width = 4.0;
        },
    );
    b.add(
        boxed(ElementKind::Diamond, rect(300.0, 0.0, 120.0, 80.0)),
        |p| {
            p.background_color = GREEN;
            p.fill_style = FillStyle::CrossHatch;
            p.angle = Radians(0.3);
        },
    );
    b.add(
        boxed(ElementKind::Ellipse, rect(450.0, 0.0, 120.0, 80.0)),
        |p| {
            p.background_color = YELLOW;
            p.fill_style = FillStyle::Solid;
            p.stroke_style = StrokeStyle::Dotted;
            p.opacity = 60;
        },
    );
    b.add(
        through(
            ElementKind::Line,
            &[(0.0, 140.0), (60.0, 110.0), (120.0, 170.0), (180.0, 120.0)],
        ),
        |p| {
            p.roundness = Roundness::Round;
            p.start_arrowhead = Arrowhead::Bar;
            p.end_arrowhead = Arrowhead::Dot;
            p.stroke_color = BLUE;
        },
    );
    b.add(
        through(ElementKind::Arrow, &[(220.0, 120.0), (320.0, 170.0)]),
        |p| {
            p.start_arrowhead = Arrowhead::Triangle;
            p.stroke_width = 3.0;
        },
    );
    b.add(
        through(
            ElementKind::Arrow,
            &[(360.0, 170.0), (420.0, 110.0), (470.0, 170.0)],
        ),
        |p| p.stroke_style = StrokeStyle::Dashed,
    );
    b.add(
        through(
            ElementKind::Line,
            &[
                (500.0, 110.0),
                (570.0, 110.0),
                (535.0, 170.0),
                (500.0, 110.0),
            ],
        ),
        |p| {
            p.background_color = RED;
            p.fill_style = FillStyle::Solid;
        },
    );
    let wave: Vec<(f64, f64)> = (0..60)
        .map(|i| {
            let t = f64::from(i);
            (t * 3.0, 230.0 + (t / 6.0).sin() * 20.0)
        })
        .collect();
    b.add(through(ElementKind::Freedraw, &wave), |p| {
        p.pressures = (0..60).map(|i| 0.2 + 0.8 * (i as f32 / 59.0)).collect();
        p.stroke_color = RED;
    });
    let loop_: Vec<(f64, f64)> = (0..80)
        .map(|i| {
            let a = f64::from(i) / 12.0;
            (
                260.0 + a.cos() * (10.0 + a * 4.0),
                230.0 + a.sin() * (10.0 + a * 4.0),
            )
        })
        .collect();
    b.add(through(ElementKind::Freedraw, &loop_), |_| {});
    let index = FracIndex::between(None, None).expect("first index");
    b.add(
        Props::text(
            WorldPoint::new(340.0, 200.0),
            "Hello, Inkroom!\nLeft & hand",
            20.0,
            index.clone(),
        ),
        |_| {},
    );
    b.add(
        Props::text(
            WorldPoint::new(0.0, 290.0),
            "centred code",
            16.0,
            index.clone(),
        ),
        |p| {
            p.width = 200.0;
            p.height = 60.0;
            p.font_family = FontFamily::Code;
            p.text_align = TextAlign::Center;
            p.vertical_align = VerticalAlign::Middle;
            p.stroke_color = BLUE;
        },
    );
    b.add(
        Props::text(
            WorldPoint::new(300.0, 300.0),
            "rotated <normal>",
            24.0,
            index,
        ),
        |p| {
            p.font_family = FontFamily::Normal;
            p.text_align = TextAlign::Right;
            p.angle = Radians(-0.2);
            p.stroke_color = GREEN;
        },
    );
    b.scene
}

/// How many pixels of `a` and `b` (same size) differ by more than the channel tolerance.
fn differing_pixels(a: &tiny_skia::Pixmap, b: &tiny_skia::Pixmap) -> usize {
    a.data()
        .chunks_exact(4)
        .zip(b.data().chunks_exact(4))
        .filter(|(x, y)| {
            x.iter()
                .zip(y.iter())
                .any(|(p, q)| p.abs_diff(*q) > CHANNEL_TOLERANCE)
        })
        .count()
}

/// Compares `scene`'s PNG export with the golden file `name` (or rewrites it when blessing).
fn assert_png_golden(scene: &Scene, name: &str) {
    let rendered = render(scene, ExportFormat::Png, 1.0).expect("renders");
    let path = golden(name);
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("golden folder");
        std::fs::write(&path, &rendered.bytes).expect("writing the golden PNG");
        return;
    }
    let expected = tiny_skia::Pixmap::load_png(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with INKROOM_BLESS=1)", path.display()));
    let actual = tiny_skia::Pixmap::decode_png(&rendered.bytes).expect("our PNG decodes");
    assert_eq!(
        (actual.width(), actual.height()),
        (expected.width(), expected.height()),
        "image size"
    );
    let bad = differing_pixels(&actual, &expected);
    let allowed = (f64::from(actual.width() * actual.height()) * PIXEL_SHARE_TOLERANCE) as usize;
    if bad > allowed {
        let out = std::env::temp_dir().join(format!("inkroom-actual-{name}"));
        let _ = std::fs::write(&out, &rendered.bytes);
        panic!(
            "{bad} pixels differ from {} (at most {allowed} may); this run's image is {}",
            path.display(),
            out.display()
        );
    }
}

#[test]
fn the_showcase_scene_renders_like_the_golden_png() {
    assert_png_golden(&showcase(), "showcase.png");
}

#[test]
fn the_sketchy_scene_renders_like_the_golden_png() {
    assert_png_golden(&sketchy(), "sketchy.png");
}

fn normalised(svg: &str) -> String {
    svg.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares `scene`'s SVG export with the golden file `name` (or rewrites it when blessing).
fn assert_svg_golden(scene: &Scene, name: &str) {
    let rendered = render(scene, ExportFormat::Svg, 1.0).expect("renders");
    let text = String::from_utf8(rendered.bytes).expect("SVG is UTF-8");
    let path = golden(name);
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("folder")).expect("golden folder");
        std::fs::write(&path, &text).expect("writing the golden SVG");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless with INKROOM_BLESS=1)", path.display()));
    assert!(
        normalised(&text) == normalised(&expected),
        "the SVG differs from {} (bless with INKROOM_BLESS=1 if intended)",
        path.display()
    );
}

#[test]
fn the_showcase_scene_renders_like_the_golden_svg() {
    assert_svg_golden(&showcase(), "showcase.svg");
}

#[test]
fn the_sketchy_scene_renders_like_the_golden_svg() {
    let scene = sketchy();
    assert_svg_golden(&scene, "sketchy.svg");
    // Gradients are real SVG gradients, not a flat stand-in.
    let svg = String::from_utf8(render(&scene, ExportFormat::Svg, 1.0).expect("svg").bytes)
        .expect("utf-8");
    assert_eq!(
        svg.matches("<linearGradient").count(),
        2,
        "one per gradient fill"
    );
    assert!(svg.contains("fill=\"url(#g1)\""));
}

#[test]
fn png_and_svg_have_the_same_size_and_json_lists_the_live_elements() {
    let mut scene = showcase();
    scene
        .mutate(ElementId::from_u128(1), 0, 0, |p| p.is_deleted = true)
        .expect("exists");
    let png = render(&scene, ExportFormat::Png, 2.0).expect("png");
    let svg = render(&scene, ExportFormat::Svg, 2.0).expect("svg");
    assert_eq!(png.size, svg.size);
    let json = render(&scene, ExportFormat::Json, 2.0).expect("json");
    let doc: serde_json::Value = serde_json::from_slice(&json.bytes).expect("JSON");
    assert_eq!(
        (doc["type"].as_str(), doc["version"].as_u64()),
        (Some("inkroom"), Some(1))
    );
    let n = doc["elements"].as_array().map_or(0, Vec::len);
    assert_eq!(n, scene.iter_live().count());
    assert!(json.size.is_none());
}

#[test]
fn a_board_far_from_the_origin_renders_like_one_near_it() {
    let near = showcase();
    let mut far = near.clone();
    let ids: Vec<ElementId> = far.iter().map(|e| e.id).collect();
    for id in ids {
        far.mutate(id, 0, 0, |p| {
            p.x += 1.0e8;
            p.y -= 1.0e8;
        })
        .expect("still valid");
    }
    let decode = |scene: &Scene| {
        let png = render(scene, ExportFormat::Png, 1.0).expect("renders");
        tiny_skia::Pixmap::decode_png(&png.bytes).expect("decodes")
    };
    let (a, b) = (decode(&near), decode(&far));
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let allowed = (f64::from(a.width() * a.height()) * PIXEL_SHARE_TOLERANCE) as usize;
    assert!(differing_pixels(&a, &b) <= allowed);
}

#[test]
fn images_beyond_the_size_limit_are_refused_not_rendered() {
    let mut b = Builder {
        scene: Scene::default(),
        next: 0,
    };
    b.add(
        boxed(ElementKind::Rectangle, rect(0.0, 0.0, 5000.0, 5000.0)),
        |_| {},
    );
    assert!(matches!(
        render(&b.scene, ExportFormat::Png, 4.0),
        Err(ExportError::TooLarge { .. })
    ));
    assert!(render(&b.scene, ExportFormat::Png, 0.25).is_ok());
}
