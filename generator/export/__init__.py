"""`versus export`: weights to verified ONNX artifacts with provenance.

- `plan`: catalog and names to targets (pure)
- `conversion`: what a converter is and makes; `converters`: the table of them by weights format; `tflite`, `ultralytics_pt` hold the two real ones
- `contract`, `agreement`: the runtime-spec I/O contract, and how closely the ONNX file agrees with its source (pure)
- `verify`: onnxruntime against the source framework on sample images
- `manifest`: `OnnxArtifact`, the manifest the site build reads
- `pipeline`: resolve, cache, convert, verify, write, place

Weights resolution is `generator.weights`; preprocessing and reference decoding are
`generator.preprocess` and `generator.decode`, shared with the demo's golden tests and the bench.
"""
