"""Photos on failed items: stored once by content, without location, limited, shown only with the record."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image
from pypdf import PdfReader

from checklist_app.photos import photo_id

DAILY = "/checklists/daily/2026-11-23/role:售后客服"
FAILED = "cs-refund-24h"


def jpeg(width=2400, height=1200, colour="red", gps=True, quality=95) -> bytes:
    """A camera-like JPEG, with the GPS position a phone writes into EXIF."""
    image = Image.new("RGB", (width, height), colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    if gps:
        position = exif.get_ifd(ExifTags.IFD.GPSInfo)
        position[ExifTags.GPS.GPSLatitudeRef] = "N"
        position[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 0.0)
        position[ExifTags.GPS.GPSLongitudeRef] = "E"
        position[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=quality)
    return out.getvalue()


@pytest.fixture
def opened(client, auth):
    auth.login("zhang")
    html = client.get(DAILY).get_data(as_text=True)
    snapshot = re.search(r'name="snapshot_id" value="([^"]+)"', html).group(1)
    keys = re.findall(r'<li class="item" data-key="([^"]+)"', html)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    return snapshot, keys, token


def upload(client, token, data: bytes):
    return client.post("/api/photos", data=data, headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"})


def submit(client, token, snapshot, keys, photos, key="key-photo-0001"):
    answers = {k: {"result": "pass"} for k in keys}
    answers[FAILED] = {"result": "fail", "responsible": "小王", "note": "超时", "photos": photos}
    return client.post(
        "/api/submissions",
        json={"snapshot_id": snapshot, "answers": answers},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def test_the_same_photo_uploaded_twice_is_stored_once_under_its_content_hash(app, client, opened):
    _, _, token = opened
    data = jpeg()
    first, again = upload(client, token, data), upload(client, token, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"] == photo_id(data)
    other = upload(client, token, jpeg(colour="blue"))
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    assert len(app.extensions["checklist_storage"].photos.ids()) == 2


def test_the_stored_photo_has_no_location_or_other_metadata_and_is_at_most_1600_px(app, client, opened):
    _, _, token = opened
    data = jpeg()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the upload has a position
    pid = upload(client, token, data).json["id"]
    with app.app_context():
        from checklist_app.extensions import storage

        stored = storage().photos.get(pid)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert max(image.size) == 1600 and image.size == (1600, 800)
    assert not image.getexif()
    assert "exif" not in image.info and b"TestPhone" not in stored


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "没有收到照片"),
        (b"GIF89a" + b"\0" * 100, 422, "照片无法读取"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", 422, "照片无法读取"),
    ],
)
def test_what_is_not_a_photo_is_refused_in_chinese(client, opened, data, status, message):
    _, _, token = opened
    response = upload(client, token, data)
    assert response.status_code == status
    assert message in response.json["errors"][0]


def test_a_png_is_refused_as_not_a_jpeg(client, opened):
    _, _, token = opened
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    response = upload(client, token, out.getvalue())
    assert response.status_code == 422 and "只接受 JPEG 照片" in response.json["errors"][0]


def test_a_photo_over_the_size_limit_is_refused_with_the_limit(app, client, opened):
    _, _, token = opened
    app.config["PHOTO_MAX_BYTES"] = 50_000
    response = upload(client, token, jpeg(quality=100, width=3000, height=3000) + b"\0" * 60_000)
    assert response.status_code == 413
    assert "上限 0.1 MB" in response.json["errors"][0]


def test_uploading_needs_a_session_and_a_csrf_token(client, opened):
    _, _, token = opened
    assert client.post("/api/photos", data=jpeg()).status_code == 400
    client.post("/logout", data={"csrf_token": token})
    assert upload(client, token, jpeg()).status_code in (400, 401)


def test_a_submission_keeps_its_photos_and_shows_them_on_record_print_and_pdf(client, opened):
    snapshot, keys, token = opened
    pid = upload(client, token, jpeg()).json["id"]
    response = submit(client, token, snapshot, keys, [pid, pid])
    assert response.status_code == 201
    record = response.json["record"]
    [failed] = [i for i in record["items"] if i["key"] == FAILED]
    assert failed["photos"] == [pid]  # the same photo twice is one
    url = f"/history/{record['id']}/photos/{pid}"
    for page in (response.json["url"], f"/history/{record['id']}/print"):
        assert f'src="{url}"' in client.get(page).get_data(as_text=True)
    photo = client.get(url)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert "private" in photo.headers["Cache-Control"]
    pdf = PdfReader(io.BytesIO(client.get(f"/history/{record['id']}.pdf").data))
    assert sum(len(page.images) for page in pdf.pages) == 1
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pdf.pages))
    assert "照片第2项：退款申请" in text


def test_a_submission_naming_a_photo_never_uploaded_is_refused(client, opened):
    snapshot, keys, token = opened
    response = submit(client, token, snapshot, keys, [photo_id(b"never sent")])
    assert response.status_code == 422
    assert "照片还没有上传" in response.json["errors"][0]


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ("abc", "照片编号不正确"),
        (["not-a-hash"], "照片编号不正确"),
        ([f"{i:064x}" for i in range(6)], "最多 5 张照片"),
    ],
)
def test_malformed_or_too_many_photos_are_refused(client, opened, photos, message):
    snapshot, keys, token = opened
    response = submit(client, token, snapshot, keys, photos)
    assert response.status_code == 422
    assert any(message in error for error in response.json["errors"])


def test_a_photo_is_shown_only_to_who_may_see_its_record(client, auth, opened):
    snapshot, keys, token = opened
    pid = upload(client, token, jpeg()).json["id"]
    record = submit(client, token, snapshot, keys, [pid]).json["record"]
    url = f"/history/{record['id']}/photos/{pid}"
    other = upload(client, token, jpeg(colour="green")).json["id"]
    assert client.get(f"/history/{record['id']}/photos/{other}").status_code == 404  # not on this record
    client.post("/logout", data={"csrf_token": token})
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    auth.login("wang")  # another inspector, who may not see zhang's record
    assert client.get(url).status_code == 403
    auth.login("admin")
    assert client.get(url).status_code == 200


def signature_jpeg(colour="black") -> bytes:
    image = Image.new("RGB", (640, 240), "white")
    image.paste(Image.new("RGB", (400, 20), colour), (100, 110))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def submit_signed(client, token, snapshot, keys, signatures, key="key-sign-0001"):
    answers = {k: {"result": "pass"} for k in keys}
    return client.post(
        "/api/submissions",
        json={"snapshot_id": snapshot, "answers": answers, "signatures": signatures},
        headers={"X-CSRFToken": token, "Idempotency-Key": key},
    )


def test_signatures_are_stored_with_the_record_and_shown_on_record_print_and_pdf(client, opened):
    snapshot, keys, token = opened
    mine = upload(client, token, signature_jpeg()).json["id"]
    theirs = upload(client, token, signature_jpeg("navy")).json["id"]
    signed = [
        {"role": "inspector", "photo": mine, "name": "冒名"},  # the name comes from the session
        {"role": "countersign", "by": "responsible", "name": "小王", "photo": theirs},
    ]
    response = submit_signed(client, token, snapshot, keys, signed)
    assert response.status_code == 201
    record = response.json["record"]
    assert record["signatures"] == [
        {"role": "inspector", "name": "Zhang", "photo": mine},
        {"role": "countersign", "by": "responsible", "name": "小王", "photo": theirs},
    ]
    assert submit_signed(client, token, snapshot, keys, signed).status_code == 200  # a replay
    changed = [dict(signed[0], photo=theirs)]
    assert submit_signed(client, token, snapshot, keys, changed).status_code == 422  # same key, other body
    page = client.get(response.json["url"]).get_data(as_text=True)
    assert "检查人 Zhang" in page and "会签（责任人）小王" in page
    assert f"/history/{record['id']}/photos/{theirs}" in page
    printed = client.get(f"/history/{record['id']}/print").get_data(as_text=True)
    assert f"/history/{record['id']}/photos/{mine}" in printed
    assert client.get(f"/history/{record['id']}/photos/{mine}").status_code == 200
    pdf = PdfReader(io.BytesIO(client.get(f"/history/{record['id']}.pdf").data))
    assert sum(len(page.images) for page in pdf.pages) == 2
    text = re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pdf.pages))
    assert "检查人Zhang" in text and "会签（责任人）小王" in text


@pytest.mark.parametrize(
    ("signatures", "message"),
    [
        ("yes", "签名数据不正确"),
        ([{"role": "boss", "photo": "0" * 64}], "签名数据不正确"),
        ([{"role": "inspector", "photo": "nope"}], "签名数据不正确"),
        ([{"role": "countersign", "by": "head", "name": "王", "photo": "0" * 64}], "检查人先签名"),
        (
            [
                {"role": "inspector", "photo": "0" * 64},
                {"role": "countersign", "by": "head", "photo": "1" * 64},
            ],
            "会签人的姓名",
        ),
        ([{"role": "inspector", "photo": "0" * 64}], "“签名”的照片还没有上传"),
    ],
)
def test_bad_signatures_are_refused_in_chinese(client, opened, signatures, message):
    snapshot, keys, token = opened
    response = submit_signed(client, token, snapshot, keys, signatures)
    assert response.status_code == 422
    assert any(message in error for error in response.json["errors"])


@settings(
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=3000), st.builds(lambda b: b"\xff\xd8\xff" + b, st.binary(max_size=3000))
    )
)
def test_no_upload_gets_a_server_error(client, opened, data):
    _, _, token = opened
    response = upload(client, token, data)
    assert response.status_code in (400, 413, 422), response.get_data(as_text=True)[:300]
    assert re.search(r"[\u4e00-\u9fff]", response.json["errors"][0])
