//! Reading roadmap folders from disk. The only part of the content module that touches the
//! file system; everything it reads goes through `parse_roadmap`.

use std::fs;
use std::path::{Path, PathBuf};

use super::{link_roadmaps, parse_roadmap_located, Built, ContentError, SourceFile};
use crate::roadmap::{NodeId, Roadmap};

/// The metadata file of a roadmap folder.
const META_FILE: &str = "roadmap.md";

fn folder_error(path: &Path, message: String) -> ContentError {
    ContentError {
        file: path.display().to_string(),
        line: 0,
        message,
    }
}

fn read_source(path: &Path) -> Result<SourceFile, ContentError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(SourceFile {
            name: path.display().to_string(),
            text,
        }),
        Err(error) => Err(folder_error(path, format!("cannot read the file: {error}"))),
    }
}

/// Read `dir/roadmap.md` and every other `dir/*.md` (sorted by file name) and parse them. The
/// slug is the folder name and must itself be a valid slug (NodeId rules).
pub fn load_roadmap_dir(dir: &Path) -> Result<Roadmap, Vec<ContentError>> {
    load_located(dir).map(|built| built.roadmap)
}

/// `load_roadmap_dir`, plus where each `see:` link was written and the warnings.
fn load_located(dir: &Path) -> Result<Built, Vec<ContentError>> {
    let mut errors = Vec::new();
    let slug = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Err(message) = NodeId::parse(&slug) {
        errors.push(folder_error(
            dir,
            format!("the folder name is not a valid roadmap slug: {message}"),
        ));
    }

    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            errors.push(folder_error(
                dir,
                format!("cannot read the roadmap folder: {error}"),
            ));
            return Err(errors);
        }
    };
    let mut node_paths: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                errors.push(folder_error(
                    dir,
                    format!("cannot list the roadmap folder: {error}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != META_FILE && path.is_file() {
            node_paths.push((name, path));
        }
    }
    node_paths.sort();

    let meta_path = dir.join(META_FILE);
    let meta = if meta_path.is_file() {
        read_source(&meta_path)
            .map_err(|error| errors.push(error))
            .ok()
    } else {
        errors.push(folder_error(
            &meta_path,
            "missing roadmap.md: every roadmap folder needs one with title, summary, level and estimate"
                .to_owned(),
        ));
        None
    };
    let node_files: Vec<SourceFile> = node_paths
        .iter()
        .filter_map(|(_, path)| read_source(path).map_err(|error| errors.push(error)).ok())
        .collect();

    let Some(meta) = meta else {
        return Err(errors);
    };
    match parse_roadmap_located(&slug, &meta, &node_files) {
        Ok(built) if errors.is_empty() => Ok(built),
        Ok(_) => Err(errors),
        Err(mut more) => {
            errors.append(&mut more);
            Err(errors)
        }
    }
}

/// Every sub-folder of `root` that contains a roadmap.md, sorted by slug; errors of all
/// roadmaps together. A root that does not exist or holds no roadmap is an error too. `see:`
/// links between roadmaps are checked here, once every roadmap is read.
pub fn load_catalog(root: &Path) -> Result<Vec<Roadmap>, Vec<ContentError>> {
    load_catalog_checked(root).map(|checked| checked.roadmaps)
}

/// A catalog that passed every check, and the warnings found on the way (`file:line` problems
/// that do not reject the content, such as a topic with fewer than three resources).
#[derive(Clone, Debug)]
pub struct CheckedCatalog {
    pub roadmaps: Vec<Roadmap>,
    pub warnings: Vec<ContentError>,
}

/// `load_catalog`, keeping the warnings.
pub fn load_catalog_checked(root: &Path) -> Result<CheckedCatalog, Vec<ContentError>> {
    let entries = fs::read_dir(root).map_err(|error| {
        vec![folder_error(
            root,
            format!("cannot read the roadmaps folder: {error}"),
        )]
    })?;
    let mut errors = Vec::new();
    let mut folders: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if path.join(META_FILE).is_file() {
                    folders.push((entry.file_name().to_string_lossy().into_owned(), path));
                }
            }
            Err(error) => errors.push(folder_error(
                root,
                format!("cannot list the roadmaps folder: {error}"),
            )),
        }
    }
    folders.sort();
    if folders.is_empty() && errors.is_empty() {
        errors.push(folder_error(
            root,
            "no roadmap found: each roadmap is a sub-folder holding a roadmap.md".to_owned(),
        ));
    }

    let mut loaded = Vec::new();
    let mut broken = Vec::new();
    for (slug, path) in &folders {
        match load_located(path) {
            Ok(built) => loaded.push(built),
            Err(mut more) => {
                errors.append(&mut more);
                broken.push(slug.clone());
            }
        }
    }
    errors.append(&mut link_roadmaps(&mut loaded, &broken));
    if errors.is_empty() {
        let mut warnings = Vec::new();
        let mut roadmaps = Vec::new();
        for mut built in loaded {
            warnings.append(&mut built.warnings);
            roadmaps.push(built.roadmap);
        }
        Ok(CheckedCatalog { roadmaps, warnings })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch folder under the system temp dir, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir()
                .join(format!("trailmap-content-{}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).expect("create scratch folder");
            Self(path)
        }

        fn write(&self, relative: &str, text: &[u8]) {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("create folder");
            }
            fs::write(path, text).expect("write file");
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    const META: &[u8] = b"title: T\nsummary: S\nlevel: beginner\nestimate: 1 week\n";

    #[test]
    fn loads_node_files_in_file_name_order_and_ignores_other_files() {
        let scratch = Scratch::new("order");
        scratch.write("web/roadmap.md", META);
        scratch.write("web/02-second.md", b"## Second\nid: second\n");
        scratch.write("web/01-first.md", b"## First\nid: first\n");
        scratch.write("web/notes.txt", b"not markdown");
        scratch.write("web/drafts/ignored.md", b"garbage");
        let roadmap = load_roadmap_dir(&scratch.0.join("web")).expect("loads");
        assert_eq!(roadmap.slug, "web");
        let ids: Vec<&str> = roadmap.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["first", "second"]);
    }

    #[test]
    fn names_files_by_their_path_in_errors() {
        let scratch = Scratch::new("names");
        scratch.write("web/roadmap.md", META);
        scratch.write("web/01-a.md", b"## A\nid: a\ncolour: red\n");
        let errors = load_roadmap_dir(&scratch.0.join("web")).expect_err("fails");
        let expected = scratch.0.join("web").join("01-a.md").display().to_string();
        assert_eq!(errors[0].file, expected);
        assert_eq!(errors[0].line, 3);
    }

    #[test]
    fn rejects_a_folder_without_roadmap_md() {
        let scratch = Scratch::new("nometa");
        scratch.write("web/01-a.md", b"## A\nid: a\n");
        let errors = load_roadmap_dir(&scratch.0.join("web")).expect_err("fails");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].file.ends_with("roadmap.md"));
        assert_eq!(errors[0].line, 0);
        assert!(errors[0].message.contains("missing roadmap.md"));
    }

    #[test]
    fn rejects_a_folder_name_that_is_not_a_slug() {
        let scratch = Scratch::new("slug");
        scratch.write("Web Dev/roadmap.md", META);
        scratch.write("Web Dev/01-a.md", b"## A\nid: a\n");
        let errors = load_roadmap_dir(&scratch.0.join("Web Dev")).expect_err("fails");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 0);
        assert!(errors[0].message.contains("not a valid roadmap slug"));
    }

    #[test]
    fn rejects_a_file_that_is_not_utf8_as_a_whole_file_problem() {
        let scratch = Scratch::new("utf8");
        scratch.write("web/roadmap.md", META);
        scratch.write("web/01-a.md", b"## A\nid: a\n");
        scratch.write("web/02-b.md", b"## B\nid: b\n\n\xff\xfe");
        let errors = load_roadmap_dir(&scratch.0.join("web")).expect_err("fails");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].file.ends_with("02-b.md"));
        assert_eq!(errors[0].line, 0);
        assert!(errors[0].message.contains("cannot read the file"));
    }

    #[test]
    fn catalog_lists_roadmaps_sorted_by_slug_and_skips_other_folders() {
        let scratch = Scratch::new("catalog");
        for slug in ["zeta", "alpha"] {
            scratch.write(&format!("{slug}/roadmap.md"), META);
            scratch.write(&format!("{slug}/01.md"), b"## A\nid: a\n");
        }
        scratch.write("assets/logo.md", b"not a roadmap");
        let slugs: Vec<String> = load_catalog(&scratch.0)
            .expect("loads")
            .into_iter()
            .map(|roadmap| roadmap.slug)
            .collect();
        assert_eq!(slugs, ["alpha", "zeta"]);
    }

    #[test]
    fn catalog_collects_the_errors_of_every_roadmap() {
        let scratch = Scratch::new("catalog-errors");
        for slug in ["one", "two"] {
            scratch.write(&format!("{slug}/roadmap.md"), META);
            scratch.write(&format!("{slug}/01.md"), b"## A\nid: A\n");
        }
        let errors = load_catalog(&scratch.0).expect_err("fails");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].file.contains("one"));
        assert!(errors[1].file.contains("two"));
    }

    #[test]
    fn catalog_resolves_see_links_between_roadmaps() {
        let scratch = Scratch::new("see-ok");
        scratch.write(
            "backend/roadmap.md",
            b"title: Backend\nsummary: S\nlevel: beginner\nestimate: 1 week\n",
        );
        scratch.write(
            "backend/01.md",
            b"## Deploy\nid: deploy\nsee: devops/docker\n",
        );
        scratch.write(
            "devops/roadmap.md",
            b"title: DevOps\nsummary: S\nlevel: beginner\nestimate: 1 week\n",
        );
        scratch.write("devops/01.md", b"## Containers\nid: containers\n\n## Docker\nid: docker\nparent: containers\nsee: backend/deploy\n");
        let roadmaps = load_catalog(&scratch.0).expect("loads");
        let see = &roadmaps[0].nodes[0].see;
        assert_eq!(see.len(), 1);
        assert_eq!(see[0].roadmap, "devops");
        assert_eq!(see[0].node.as_str(), "docker");
        assert_eq!(see[0].title, "Docker");
        assert_eq!(see[0].roadmap_title, "DevOps");
        assert_eq!(roadmaps[1].nodes[1].see[0].title, "Deploy");
        assert_eq!(roadmaps[1].nodes[1].see[0].roadmap_title, "Backend");
    }

    #[test]
    fn catalog_rejects_see_links_to_unknown_roadmaps_and_nodes() {
        let scratch = Scratch::new("see-bad");
        scratch.write("web/roadmap.md", META);
        scratch.write(
            "web/01.md",
            b"## A\nid: a\naliases: old-a\nsee: ops/docker\nsee: web/nope\n\n## B\nid: b\nsee: web/old-a\nsee: broken/x\n",
        );
        scratch.write("broken/roadmap.md", META);
        scratch.write("broken/01.md", b"## X\nid: X\n");
        let errors = load_catalog(&scratch.0).expect_err("fails");
        let web = scratch.0.join("web").join("01.md").display().to_string();
        let at = |line: usize, fragment: &str| {
            errors
                .iter()
                .any(|e| e.file == web && e.line == line && e.message.contains(fragment))
        };
        assert!(at(4, "no roadmap has the slug `ops`"), "{errors:#?}");
        assert!(at(5, "has no node with the id `nope`"), "{errors:#?}");
        assert!(at(9, "alias of `a`"), "{errors:#?}");
        // `broken` failed to load (its own error is reported), so links into it are not.
        assert_eq!(errors.len(), 4, "{errors:#?}");
        assert!(errors.iter().any(|e| e.file.contains("broken")));
    }

    #[test]
    fn catalog_rejects_a_missing_root() {
        let scratch = Scratch::new("missing-root");
        let errors = load_catalog(&scratch.0.join("nope")).expect_err("fails");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 0);
        assert!(errors[0]
            .message
            .contains("cannot read the roadmaps folder"));
    }

    #[test]
    fn catalog_rejects_a_root_without_roadmaps() {
        let scratch = Scratch::new("empty-root");
        scratch.write("stuff/readme.md", b"hello");
        let errors = load_catalog(&scratch.0).expect_err("fails");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("no roadmap found"));
    }
}
