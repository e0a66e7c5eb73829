"""Vendor the JavaScript/CSS that exported maps inline, from the npm registry, at pinned versions.

``jinan_gis.analyses.maps.export_map`` writes self-contained HTML: Leaflet and
Leaflet.markercluster are inlined from ``analyses/assets/`` (committed, about 200 KB), never
loaded from a CDN.  This script (re)creates that folder:

1. ``npm pack <name>@<version>`` for each pinned package (only the registry tarball: no
   install scripts run);
2. checks the tarball against the pinned sha512 ``integrity`` (fails on any mismatch);
3. copies the few distribution files maps need, with the package's licence, into
   ``analyses/assets/<name>/``, and writes ``analyses/assets/MANIFEST.json`` (package,
   version, tarball integrity, sha256 of every copied file) which the tests check.

Run ``python scripts/vendor_map_assets.py`` (needs ``npm`` and access to the npm registry) after
changing a pin; ``--check`` only verifies the committed files against ``MANIFEST.json``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "analyses" / "assets"

# name -> (version, npm "integrity" of the tarball, {path in tarball: path under assets/<dir>})
PACKAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "leaflet": (
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+"
        "FA74PA==",
        {
            "package/dist/leaflet.js": "leaflet.js",
            "package/dist/leaflet.css": "leaflet.css",
            "package/dist/images/layers.png": "images/layers.png",
            "package/dist/images/layers-2x.png": "images/layers-2x.png",
            "package/dist/images/marker-icon.png": "images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "images/marker-shadow.png",
            "package/LICENSE": "LICENSE",
        },
    ),
    "leaflet.markercluster": (
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfC"
        "SeA==",
        {
            "package/dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            "package/dist/MarkerCluster.css": "MarkerCluster.css",
            "package/dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
            "package/MIT-LICENCE.txt": "MIT-LICENCE.txt",
        },
    ),
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _pack(name: str, version: str, dest: Path) -> Path:
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    return dest / info["filename"]


def vendor(assets: Path = ASSETS) -> dict[str, object]:
    """Fetch, verify and copy every pinned package; return the manifest written."""
    manifest: dict[str, object] = {
        "generated_by": "scripts/vendor_map_assets.py",
        "source": "npm registry (npm pack), verified against the pinned sha512 integrity",
        "packages": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, integrity, files) in PACKAGES.items():
            tgz = _pack(name, version, Path(tmp))
            got = _integrity(tgz)
            if got != integrity:
                raise SystemExit(f"{name}@{version}: tarball integrity {got} != pinned {integrity}")
            target = assets / name
            if target.exists():
                shutil.rmtree(target)
            copied: dict[str, str] = {}
            with tarfile.open(tgz, "r:gz") as tar:
                for member, rel in files.items():
                    src = tar.extractfile(member)
                    if src is None:
                        raise SystemExit(f"{name}@{version}: {member} missing from the tarball")
                    dst = target / rel
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_bytes(src.read())
                    copied[rel] = _sha256(dst)
            manifest["packages"][name] = {  # type: ignore[index]
                "version": version,
                "integrity": integrity,
                "files": copied,
            }
            print(f"vendored {name}@{version}: {len(copied)} files")
    (assets / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return manifest


def check(assets: Path = ASSETS) -> list[str]:
    """Return one line per vendored file that is missing or differs from ``MANIFEST.json``."""
    problems: list[str] = []
    manifest = json.loads((assets / "MANIFEST.json").read_text(encoding="utf-8"))
    for name, (version, integrity, files) in PACKAGES.items():
        entry = manifest["packages"].get(name)
        if entry is None or entry["version"] != version or entry["integrity"] != integrity:
            problems.append(f"{name}: MANIFEST.json does not record the pinned {version}")
            continue
        for rel in files.values():
            path = assets / name / rel
            if not path.is_file():
                problems.append(f"{name}/{rel}: missing")
            elif _sha256(path) != entry["files"].get(rel):
                problems.append(f"{name}/{rel}: sha256 differs from MANIFEST.json")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the committed files")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for line in problems:
            print(line, file=sys.stderr)
        return 1 if problems else 0
    vendor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
