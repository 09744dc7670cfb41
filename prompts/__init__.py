# Makes prompts/ the package `cxinsight.prompts` in a built wheel (see setup.py), so the files
# below ship as package data. Nothing to import here: edit the YAML files.
