namespace FogPlacement.Workloads;

/// <summary>
/// Reads a model file into a graph, for scenarios that name one (<c>"model": "resnet18.onnx"</c>):
/// FogPlacement.Onnx's <c>OnnxGraph.Read</c> is one. The graph's constraints are the scenario's, set by the caller.
/// </summary>
/// <param name="path">The model file's full path.</param>
/// <param name="batchSize">The batch size the tensors are sized for (at least 1).</param>
/// <returns>The graph: the request's input size and the nodes.</returns>
/// <exception cref="IOException">The file cannot be read.</exception>
/// <exception cref="InvalidDataException">The file is not a model this reader understands; the message says why.</exception>
public delegate LayerGraph GraphModelReader(string path, int batchSize);
