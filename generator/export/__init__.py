"""`versus export`: weights to verified ONNX artifacts with provenance.

- `plan`: catalog and names to targets (pure)
- `converters`: the table of converters by weights format; `tflite`, `ultralytics_pt` hold the two real ones
- `contract`, `compare`: the runtime-spec I/O contract and detection matching (pure)
- `verify`: onnxruntime against the source framework on sample images
- `manifest`: `OnnxArtifact`, the manifest the site build reads
- `pipeline`: resolve, cache, convert, verify, write, place

Weights resolution is `generator.weights`; preprocessing and reference decoding are
`generator.preprocess` and `generator.decode`, shared with the demo's golden tests and the bench.
"""
