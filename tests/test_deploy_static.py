"""collectstatic with the production storage: hashed names, gzip + brotli copies, served for a year."""

import json
import shutil
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, TestCase, override_settings

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


class CollectStaticTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = Path(tempfile.mkdtemp(prefix="arrow-static-"))
        cls.settings_override = override_settings(STORAGES=PRODUCTION_STATIC, STATIC_ROOT=cls.root)
        cls.settings_override.enable()
        call_command("collectstatic", "--noinput", verbosity=0)

    @classmethod
    def tearDownClass(cls):
        cls.settings_override.disable()
        shutil.rmtree(cls.root, ignore_errors=True)
        super().tearDownClass()

    def test_it_writes_a_manifest_of_hashed_names(self):
        manifest = json.loads((self.root / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/arrow.css"]
        self.assertRegex(hashed, r"^css/arrow\.[0-9a-f]{12}\.css$")
        self.assertTrue((self.root / hashed).is_file())

    def test_it_compresses_with_gzip_and_brotli(self):
        hashed = json.loads((self.root / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
        self.assertTrue((self.root / f"{hashed}.gz").is_file())
        self.assertTrue((self.root / f"{hashed}.br").is_file())

    def test_pages_link_the_hashed_names(self):
        self.assertRegex(static("css/arrow.css"), r"^/static/css/arrow\.[0-9a-f]{12}\.css$")

    def test_whitenoise_serves_hashed_files_for_a_year_and_more(self):
        # A fresh client builds a fresh WhiteNoise, which indexes the temporary STATIC_ROOT.
        url = static("admin/css/base.css")
        response = Client().get(url, headers={"accept-encoding": "br, gzip"})
        self.assertEqual(response.status_code, 200)
        # WhiteNoise's value for hashed (immutable) files: ten years, never revalidated.
        self.assertEqual(response["Cache-Control"], "max-age=315360000, public, immutable")
        self.assertEqual(response["Content-Encoding"], "br")
        response.close()
