"""The project's documents: templates in ``docs/src/``, rendered by ``python -m docs.build``.

``docs.facts`` reads every number a document states from the file that holds it; ``docs.build``
fills the templates with them and checks the committed documents. Imports ``core.runs`` (the
model folders' report card) and ``bench.capacity`` only; nothing imports ``docs``.
"""
