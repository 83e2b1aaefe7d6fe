"""Page views: the catalog, measurement records and this build's artifacts turned into display-ready values.

Pure functions, no I/O, no Jinja, no mkdocs. Each page type has a module that builds its view (`home`,
`catalog`, `tasks`, `chart`, `model`, `pair`, `compare`); the shared parts are labels and number formats
(`labels`), citations (`citations`), sourced figures (`figures`), card facts (`cards`), measured tables
(`records`, over the record selection in `measured`) and page paths (`pages`). A view holds strings, numbers,
booleans and nested views, formatted wherever formatting needs domain knowledge; templates only lay them out.
Page paths are source paths under the docs folder (`models/yolo11.md`): the render layer makes them links.
"""
