"""Package layout: everything else is in pyproject.toml.

prompts/ stays at the top level (users edit it there) and ships inside the wheel as the
package `cxinsight.prompts`, so a normal `pip install` has the taxonomy and prompt files.
"""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["cxinsight", "cxinsight.*"]) + ["cxinsight.prompts"],
    package_dir={"cxinsight.prompts": "prompts"},
    package_data={"cxinsight.prompts": ["*.yaml", "*.json"], "cxinsight.notes": ["schemas/*.json"],
                  "cxinsight.serve": ["page/*"]},
)
