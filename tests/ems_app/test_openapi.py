"""The OpenAPI document comes from the routes and their pydantic models."""
from hospital_app import create_app as create_hospital_app


def test_hub_document_lists_routes_with_their_models(hub_app):
    doc = hub_app.test_client().get("/openapi.json").json
    assert doc["openapi"].startswith("3.")
    op = doc["paths"]["/api/incidents/{incident_id}/updates"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/IncidentUpdate")
    vitals = doc["components"]["schemas"]["Vitals"]["properties"]["spo2"]
    assert "100" in str(vitals)  # the range comes from the model, not from a hand-written file
    assert doc["paths"]["/.well-known/jwks.json"]["get"]["security"] == []


def test_hospital_app_serves_its_own_document(database, tmp_path):
    app = create_hospital_app({"HOSPITAL_INSTANCE": tmp_path / "h", "GATEWAY": "0", **database("h")})
    doc = app.test_client().get("/openapi.json").json
    assert "/api/inquiries/{inquiry_id}/answer" in doc["paths"]
    assert "AnswerIn" in doc["components"]["schemas"]
    app.extensions["db"].dispose()
