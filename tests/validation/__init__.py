"""The checks a HACS user relies on, with the rules hassfest and the HACS action apply.

``script.hassfest`` is not part of the ``homeassistant`` wheel and the HACS
action runs only on GitHub, so their rules are written out here, each citing
where it comes from:

- hassfest (home-assistant/core, ``script/hassfest/``): ``manifest.py``
  (manifest schema, version, sorted keys, quality scale), ``translations.py``
  (translation file schema, keys, values), ``icons.py`` (icons.json schema),
  ``services.py`` (services.yaml, names and descriptions, icons);
- the HACS action (hacs/integration, ``custom_components/hacs/validate/``):
  ``hacsjson.py`` with ``utils/validate.py`` (hacs.json schema),
  ``integration_manifest.py`` (manifest keys HACS needs), ``brands.py`` (brand
  images inside the integration, accepted since Home Assistant 2026.3).

Where Home Assistant's own code can judge (the loader, the translation loader,
the automation config validator, the service registry), the tests ask it.

Each module holds one subject; ``common.py`` the paths and readers they share;
``test_structure.py`` the shape of the integration's package.
"""
