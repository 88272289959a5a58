"""The ACS Bridge demo: Home Assistant configuration, example automations, tools.

``scripts/demo`` runs ``demo.bootstrap`` against a fresh Home Assistant and the
simulator; ``demo.screenshot`` takes the README's pictures of the dashboard and
``demo.check`` checks the dashboard in a real browser.
"""
