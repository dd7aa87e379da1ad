

def test_put_then_get_entry(client, patient):
    day = patient.day(1)
    r = client.put(f"/api/v1/me/entries/{day}", json={"leg_pain": 5, "numbness": ["big_toe"]}, headers=patient.headers)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["leg_pain"] == 5 and body["alerts_raised"] == [] and body["date"] == day
    r = client.put(f"/api/v1/me/entries/{day}", json={"leg_pain": 6}, headers=patient.headers)
    assert r.status_code == 200
    assert r.get_json()["numbness"] is None
    r = client.get("/api/v1/me/entries", headers=patient.headers)
    assert [e["leg_pain"] for e in r.get_json()["items"]] == [6]


def test_link_and_read(client, linked):
    patient, clinician = linked
    client.put(f"/api/v1/me/entries/{patient.day(0)}", json={"leg_pain": 3}, headers=patient.headers)
    r = client.get(f"/api/v1/patients/{patient.id}/entries", headers=clinician.headers)
    assert r.status_code == 200, r.get_json()
    assert len(r.get_json()["items"]) == 1
    r = client.get("/api/v1/patients", headers=clinician.headers)
    assert r.get_json()["items"][0]["id"] == patient.id
