from __future__ import annotations

import json
import re
import subprocess

import folium
import pytest
from folium.plugins import FastMarkerCluster, Fullscreen, HeatMap, MarkerCluster

from geo.config import ROOT
from geo.render import assets
from geo.render.assets import (
    AssetError,
    apply_local_assets,
    local_assets,
    missing_assets,
    missing_assets_message,
    pinned_versions,
    vendor_files,
)

CDN = re.compile(r"""<(?:script|link)\b[^>]*(?:src|href)=["']?(?:https?:)?//""", re.IGNORECASE)


def fake_vendor(tmp_path):
    """A vendor folder with a small stand-in for every file (no npm needed)."""
    for path in vendor_files():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(".js"):
            target.write_text(
                f"/* {path} */ var s = '</script>'; /* {{# {{{{ 7*191 }}}} */", encoding="utf-8"
            )
        elif path.endswith(".css"):
            target.write_text(".x { background: url(images/layers.png); }", encoding="utf-8")
        else:
            target.write_bytes(b"\x89PNG fake")
    return tmp_path


def test_package_json_pins_exact_versions_matching_the_manifest():
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert package["private"] is True
    assert package["dependencies"] == pinned_versions()
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in package["dependencies"].values())
    assert "copy_assets" in package["scripts"]["postinstall"]
    assert pinned_versions()["leaflet"] == "1.9.4" and pinned_versions()["jquery"] == "3.7.1"


def test_npm_writes_no_lockfile_and_no_registry_host():
    npmrc = (ROOT / ".npmrc").read_text(encoding="utf-8")
    assert re.search(r"^package-lock\s*=\s*false", npmrc, re.MULTILINE)
    for name in (
        "package.json",
        ".npmrc",
        "geo/render/vendor_assets.json",
        "scripts/copy_assets.mjs",
    ):
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "://" not in text, name
    tracked = subprocess.run(
        ["git", "ls-files", "package-lock.json", "static"], cwd=ROOT, capture_output=True, text=True
    )
    if tracked.returncode == 0:
        assert tracked.stdout.strip() == ""


def test_missing_assets_lists_every_file_and_says_how_to_install(tmp_path):
    assert missing_assets(tmp_path) == vendor_files()
    message = missing_assets_message(missing_assets(tmp_path), tmp_path)
    assert "npm install" in message and "leaflet/leaflet.js" in message
    assert missing_assets(fake_vendor(tmp_path)) == []


def test_local_assets_points_under_the_base_url():
    js, css = local_assets("/base/vendor/")
    assert js == [
        ("leaflet", "/base/vendor/leaflet/leaflet.js"),
        ("jquery", "/base/vendor/jquery/jquery.min.js"),
    ]
    assert css == [("leaflet_css", "/base/vendor/leaflet/leaflet.css")]


def test_map_and_plugins_lose_every_cdn_link_without_touching_folium_classes():
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    FastMarkerCluster([[16.0, -1.0], [17.0, 0.0]]).add_to(m)
    HeatMap([[16.0, -1.0, 1.0]]).add_to(m)
    before = [
        list(folium.Map.default_js),
        list(MarkerCluster.default_css),
        list(HeatMap.default_js),
    ]
    used = apply_local_assets(m, "/app/static/vendor")
    page = m.get_root().render()
    assert not CDN.search(page), CDN.search(page)
    assert '<script src="/app/static/vendor/leaflet.heat/leaflet-heat.js">' in page
    assert "/app/static/vendor/leaflet.markercluster/MarkerCluster.Default.css" in page
    assert "bootstrap" not in page and "awesome-markers" not in page
    assert "leaflet/leaflet.js" in used and "leaflet.markercluster/leaflet.markercluster.js" in used
    assert [
        list(folium.Map.default_js),
        list(MarkerCluster.default_css),
        list(HeatMap.default_js),
    ] == before
    assert "cdn" in folium.Map.default_js[0][1]


def test_a_plugin_with_no_local_copy_is_refused_by_name():
    m = folium.Map(tiles=None)
    Fullscreen().add_to(m)
    with pytest.raises(AssetError, match="Fullscreen"):
        apply_local_assets(m)


def test_inline_embeds_files_images_and_neutralises_end_tags(tmp_path):
    vendor = fake_vendor(tmp_path)
    m = folium.Map(tiles=None)
    MarkerCluster().add_to(m)
    apply_local_assets(m, inline=True, vendor_dir=vendor)
    page = m.get_root().render()
    assert "<script src" not in page and '<link rel="stylesheet"' not in page
    assert (
        "/* leaflet/leaflet.js */" in page
        and "/* leaflet.markercluster/leaflet.markercluster.js */" in page
    )
    assert "url(data:image/png;base64," in page
    assert "var s = '<\\/script>'" in page
    assert "{# {{ 7*191 }}" in page and "1337" not in page  # contents are not run as templates
    assert page.index("leaflet/leaflet.js */") < page.index("leaflet.markercluster.js */")


def test_inline_without_installed_files_says_what_to_run(tmp_path):
    m = folium.Map(tiles=None)
    with pytest.raises(AssetError, match="npm install"):
        apply_local_assets(m, inline=True, vendor_dir=tmp_path)


def test_installed_vendor_files_are_the_pinned_releases():
    # Leaflet's files are part of the set-up (npm install): their absence is a failure.
    missing = missing_assets()
    assert not missing, missing_assets_message(missing)
    leaflet = (assets.VENDOR_DIR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    assert "1.9.4" in leaflet[:200]
    jquery = (assets.VENDOR_DIR / "jquery" / "jquery.min.js").read_text(encoding="utf-8")
    assert "v3.7.1" in jquery[:200]
