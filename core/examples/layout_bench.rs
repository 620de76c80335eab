//! Times the map layout on generated forests shaped like real roadmaps (about 13 stages,
//! branching 2 to 8, depth up to 5, titles of varied lengths): card sizing plus `tidy_forest`.
//! Also times `layout_roadmap` on the real backend roadmap, fully expanded, if it is found.
//!
//! Run: `cargo run --release -p trailmap-core --example layout_bench`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use trailmap_core::layout::{
    all_expandable, card_size, initially_expanded, layout_roadmap, tidy_forest, LayoutOptions,
};

/// A small deterministic generator (xorshift64*), so every run times the same forests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const WORDS: [&str; 24] = [
    "HTTP",
    "caching",
    "Databases",
    "and",
    "message",
    "queues",
    "OAuth",
    "observability",
    "the",
    "Kubernetes",
    "indexes",
    "of",
    "event-driven",
    "architecture",
    "TLS",
    "rate",
    "limiting",
    "GraphQL",
    "with",
    "testing",
    "containers",
    "CI/CD",
    "WebSockets",
    "consistency",
];

struct Forest {
    roots: Vec<usize>,
    children: Vec<Vec<usize>>,
    depth: Vec<usize>,
    titles: Vec<String>,
}

fn title(rng: &mut Rng) -> String {
    let words = 1 + rng.below(7);
    (0..words)
        .map(|_| WORDS[rng.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` nodes: 13 roots (fewer if `n` is smaller), then nodes picked at random from those not yet
/// full get 2 to 8 children each, never below depth 5, until there are `n`.
fn forest(n: usize, seed: u64) -> Forest {
    let mut rng = Rng(seed);
    let mut f = Forest {
        roots: Vec::new(),
        children: Vec::new(),
        depth: Vec::new(),
        titles: Vec::new(),
    };
    let mut open = Vec::new();
    for _ in 0..13.min(n) {
        f.roots.push(f.depth.len());
        open.push(f.depth.len());
        f.children.push(Vec::new());
        f.depth.push(0);
        f.titles.push(title(&mut rng));
    }
    while f.depth.len() < n && !open.is_empty() {
        let parent = open.swap_remove(rng.below(open.len()));
        let branching = 2 + rng.below(7);
        for _ in 0..branching {
            if f.depth.len() == n {
                break;
            }
            let node = f.depth.len();
            f.children[parent].push(node);
            f.children.push(Vec::new());
            f.depth.push(f.depth[parent] + 1);
            f.titles.push(title(&mut rng));
            if f.depth[node] < 5 {
                open.push(node);
            }
        }
    }
    f
}

fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, Duration) {
    black_box(work()); // warm-up
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        black_box(work());
        let elapsed = start.elapsed();
        total += elapsed;
        best = best.min(elapsed);
    }
    (total / runs as u32, best)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let options = LayoutOptions::default();
    println!("| input | nodes | runs | mean ms | best ms |");
    println!("|---|---:|---:|---:|---:|");
    for (n, runs) in [(100, 2000), (1_000, 200), (10_000, 30)] {
        let f = forest(n, 0x9e37_79b9_7f4a_7c15 ^ n as u64);
        assert_eq!(f.depth.len(), n, "generator fell short");
        let (mean, best) = time(runs, || {
            let sizes: Vec<_> = f
                .titles
                .iter()
                .zip(&f.depth)
                .map(|(title, &depth)| card_size(title, depth))
                .collect();
            tidy_forest(&f.roots, &f.children, &sizes, &options)
        });
        println!(
            "| generated forest | {n} | {runs} | {:.3} | {:.3} |",
            ms(mean),
            ms(best)
        );
    }

    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../roadmaps/backend"));
    match trailmap_core::content::load_roadmap_dir(dir) {
        Ok(roadmap) => {
            for (label, expanded) in [
                ("backend roadmap, initial", initially_expanded(&roadmap)),
                ("backend roadmap, all expanded", all_expandable(&roadmap)),
            ] {
                let mut shown = 0;
                let (mean, best) = time(500, || {
                    let layout = layout_roadmap(&roadmap, &expanded, &options);
                    shown = layout.nodes.len();
                    layout
                });
                println!(
                    "| {label} (`layout_roadmap`) | {shown} | 500 | {:.3} | {:.3} |",
                    ms(mean),
                    ms(best)
                );
            }
        }
        Err(errors) => eprintln!("backend roadmap not timed: {} errors", errors.len()),
    }
}
