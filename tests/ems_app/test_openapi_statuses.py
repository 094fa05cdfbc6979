"""The API document lists what the API does: query parameters, every status a route answers
(201 where it creates, the refusals of web/http.py and web/login.py), and the refusal's body.
tests/fuzz holds the whole document to the API; this names the rules."""


def operation(hub_app, method: str, path: str) -> dict:
    return hub_app.test_client().get("/openapi.json").json["paths"][path][method]


def test_a_route_that_creates_documents_201(hub_app):
    assert set(operation(hub_app, "post", "/api/incidents/{incident_id}/inquiries")["responses"]) >= {"201"}
    assert {"200", "201"} <= set(operation(hub_app, "post", "/api/incidents")["responses"])


def test_every_write_documents_415_and_a_bodiless_one_an_empty_json_object(hub_app):
    op = operation(hub_app, "post", "/api/incidents/{incident_id}/handover")
    assert "415" in op["responses"]
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    assert schema["type"] == "object" and schema["maxProperties"] == 0


def test_refusals_are_documented_with_their_body(hub_app):
    doc = hub_app.test_client().get("/openapi.json").json
    op = doc["paths"]["/api/incidents/{incident_id}/card"]["post"]
    assert {"400", "401", "403", "404", "409", "415", "422"} <= set(op["responses"])
    assert op["responses"]["403"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Refusal"
    assert doc["components"]["schemas"]["Refusal"]["required"] == ["error", "message"]


def test_query_parameters_are_documented(hub_app):
    params = {p["name"]: p for p in operation(hub_app, "get", "/api/hospital/records/{incident_id}")["parameters"]}
    assert params["after"]["in"] == "query" and params["after"]["schema"]["type"] == "integer"
    assert params["after"]["schema"]["minimum"] == 0 and params["view"]["schema"]["const"] == "full"


def test_a_bounded_path_parameter_says_its_bounds(hub_app):
    [item] = operation(hub_app, "post", "/api/review/{item_id}")["parameters"]
    assert item["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
