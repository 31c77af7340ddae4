"""Read a PMML document's schema from its XML: fields, targets, outputs, task, provenance.

Inputs and targets come from the top-level model's MiningSchema (also for MiningModel
ensembles), typed by the DataDictionary. The task is the model's ``functionName``, except
that a ``regression`` model with no target whose Output has ``transformedValue`` fields is
read as dimensionality reduction: those fields are the components (this is how a PCA
projection is written in PMML, e.g. by ``tests/model_factory.pca_pmml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from daas.errors import InvalidModel
from daas.runtimes.base import Interval, ModelSchema, Task, Variable
from daas.runtimes.pmml_document import local_name

MODEL_ELEMENTS = (
    "AnomalyDetectionModel", "AssociationModel", "BaselineModel", "BayesianNetworkModel",
    "ClusteringModel", "GaussianProcessModel", "GeneralRegressionModel", "MiningModel",
    "NaiveBayesModel", "NearestNeighborModel", "NeuralNetwork", "RegressionModel",
    "RuleSetModel", "Scorecard", "SequenceModel", "SupportVectorMachineModel", "TextModel",
    "TimeSeriesModel", "TreeModel",
)
INPUT_USAGE = ("active",)
TARGET_USAGE = ("target", "predicted")
NUMERIC_TYPES = ("integer", "float", "double")
_PLAIN_TASKS = ("classification", "regression", "clustering")
_NUMERIC_FEATURES = ("probability", "affinity", "clusterAffinity", "entityAffinity",
                     "standardError", "standardDeviation", "confidence", "residual")


@dataclass
class OutputSpec:
    """One result column the evaluator produces."""

    name: str
    feature: str
    value: str | None = None
    target: str | None = None
    declared: bool = True


@dataclass
class PmmlDescription:
    """The schema plus what scoring needs to know about the document."""

    schema: ModelSchema
    outputs: list[OutputSpec]
    invalid_treatment: dict[str, str] = field(default_factory=dict)
    distance_key: str = "distance"


def describe_pmml(root: Element, engine: str) -> PmmlDescription:
    """Build the schema of a parsed ``PMML`` root element; ``InvalidModel`` if unusable."""
    model = find_model_element(root)
    dictionary = {f.get("name"): f for f in _children(_child(root, "DataDictionary"), "DataField")}
    mining_fields = _children(_child(model, "MiningSchema"), "MiningField")

    inputs, targets, treatments = [], [], {}
    for mining_field in mining_fields:
        usage = mining_field.get("usageType", "active")
        if usage in INPUT_USAGE:
            inputs.append(_variable(mining_field, dictionary))
            treatments[mining_field.get("name")] = mining_field.get("invalidValueTreatment",
                                                                     "returnInvalid")
        elif usage in TARGET_USAGE:
            targets.append(_variable(mining_field, dictionary, target=True))

    output_elements = _children(_child(model, "Output"), "OutputField")
    outputs = [_output_variable(element, targets) for element in output_elements]
    specs = [OutputSpec(v.name, v.feature or "predictedValue", v.value,
                        element.get("targetField")) for v, element in zip(outputs, output_elements)]
    task = _task(model, targets, specs)
    header = _child(root, "Header")
    schema = ModelSchema(
        format="pmml",
        engine=engine,
        task=task,
        algorithm=algorithm_name(model),
        model_element=local_name(model.tag),
        format_version=root.get("version"),
        producer=_producer(header),
        description=(header.get("description") if header is not None else None)
        or model.get("modelName"),
        inputs=inputs,
        targets=targets,
        outputs=outputs,
        classes=_classes(targets, specs) if task == "classification" else None,
        tabular=True,
    )
    distance_key = "affinity" if model.get("modelClass") == "distributionBased" else "distance"
    return PmmlDescription(schema, specs, treatments, distance_key)


def find_model_element(root: Element) -> Element:
    """The first model element under ``PMML`` (the one an evaluator scores)."""
    for child in root:
        if local_name(child.tag) in MODEL_ELEMENTS:
            return child
    raise InvalidModel("the PMML document has no model element (only a data dictionary or "
                       "transformations), so there is nothing to score")


def algorithm_name(model: Element) -> str:
    """The model element name; ensembles name their members: ``MiningModel(TreeModel ensemble)``."""
    name = local_name(model.tag)
    if name != "MiningModel":
        return name
    members: list[str] = []
    for segment in _children(_child(model, "Segmentation"), "Segment"):
        for child in segment:
            member = local_name(child.tag)
            if member in MODEL_ELEMENTS and member not in members:
                members.append(member)
    return f"MiningModel({', '.join(members)} ensemble)" if members else name


EvaluatorField = tuple[str, str, str | None, str | None, str | None]


def add_evaluator_outputs(description: PmmlDescription, fields: list[EvaluatorField]) -> None:
    """Record the result columns the evaluator adds to the declared ones.

    ``fields`` are ``(name, feature, value, dataType, optype)`` as the evaluator reports
    them. The predicted value of a target (``predicted_<target>``) becomes the target
    itself and is not listed as an output.
    """
    declared = {spec.name for spec in description.outputs}
    targets = {f"predicted_{t.name}": t.name for t in description.schema.targets}
    for name, feature, value, dtype, optype in fields:
        if name in declared:
            continue
        if name in targets:
            description.outputs.append(OutputSpec(name, feature, value, targets[name], False))
            continue
        if description.schema.task == "dimensionality_reduction" and feature == "predictedValue":
            continue  # the dummy prediction of a target-less projection
        description.outputs.append(OutputSpec(name, feature, value, None, False))
        description.schema.outputs.append(Variable(
            name=name, dtype=_evaluator_type(dtype), optype=optype, feature=feature, value=value,
            required=False, description="added by the evaluator"))


def _variable(mining_field: Element, dictionary: dict[str | None, Element],
              target: bool = False) -> Variable:
    name = mining_field.get("name")
    data_field = dictionary.get(name)
    optype = mining_field.get("optype") or (data_field.get("optype") if data_field is not None
                                           else None)
    dtype = data_field.get("dataType") if data_field is not None else None
    if dtype is None:
        dtype = "double" if optype == "continuous" else "string"
    values = intervals = None
    if data_field is not None:
        values = [v.get("value") for v in _children(data_field, "Value")
                  if v.get("property", "valid") == "valid"] or None
        intervals = [_interval(i) for i in _children(data_field, "Interval")] or None
    required = not target and mining_field.get("missingValueReplacement") is None
    return Variable(name=name, dtype=dtype, optype=optype, values=values, intervals=intervals,
                    required=required,
                    description=data_field.get("displayName") if data_field is not None else None)


def _interval(element: Element) -> Interval:
    def margin(attribute: str) -> float | None:
        text = element.get(attribute)
        return float(text) if text not in (None, "") else None

    return Interval(closure=element.get("closure", "closedClosed"),
                    left=margin("leftMargin"), right=margin("rightMargin"))


def _output_variable(element: Element, targets: list[Variable]) -> Variable:
    feature = element.get("feature", "predictedValue")
    dtype = element.get("dataType")
    if dtype is None:
        target = next((t for t in targets if t.name == element.get("targetField")),
                      targets[0] if targets else None)
        if feature in _NUMERIC_FEATURES:
            dtype = "double"
        elif feature == "predictedValue" and target is not None:
            dtype = target.dtype
        else:
            dtype = "string"
    values = [v.get("value") for v in _children(element, "Value")] or None
    return Variable(name=element.get("name"), dtype=dtype, optype=element.get("optype"),
                    feature=feature, value=element.get("value"), values=values, required=False,
                    description=element.get("displayName"))


def _task(model: Element, targets: list[Variable], outputs: list[OutputSpec]) -> Task:
    function = model.get("functionName")
    if function == "regression" and not targets \
            and any(o.feature == "transformedValue" for o in outputs):
        return "dimensionality_reduction"
    if function in _PLAIN_TASKS:
        return function  # type: ignore[return-value]
    if function == "mixed" and targets:
        return "regression" if targets[0].optype == "continuous" else "classification"
    raise InvalidModel(f"PMML models with functionName '{function}' are not supported; "
                       f"supported: {', '.join(_PLAIN_TASKS)}")


def _classes(targets: list[Variable], outputs: list[OutputSpec]) -> list[str] | None:
    if targets and targets[0].values:
        return list(targets[0].values)
    probabilities = [o.value for o in outputs if o.feature == "probability" and o.value is not None]
    return probabilities or None


def _producer(header: Element | None) -> str | None:
    application = _child(header, "Application") if header is not None else None
    if application is None:
        return None
    text = f"{application.get('name', '')} {application.get('version', '')}".strip()
    return text or None


def _evaluator_type(dtype: str | None) -> str:
    return {"real": "double", None: "string"}.get(dtype, dtype)  # type: ignore[arg-type]


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next((child for child in element if local_name(child.tag) == name), None)


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if local_name(child.tag) == name]
