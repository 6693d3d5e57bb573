import pytest

from ocrmodels.metrics import alnum_fold, edit_distance, recognition_metrics


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "") == 3 and edit_distance("abc", "abc") == 0


def test_metrics_protocol():
    truth = ["Politicians'", "SMI", "£28.99", "on"]
    pred = ["politicians", "SMl", "28.99", "on"]
    m = recognition_metrics(truth, pred)
    assert m["word_accuracy"] == 0.25
    assert m["alnum_accuracy"] == 0.75  # case and punctuation ignored; "smi" != "sml"
    assert alnum_fold("£28.99") == "2899" == alnum_fold("28.99")
    assert m["cer"] == pytest.approx((2 + 1 + 1 + 0) / (12 + 3 + 6 + 2))
    assert m["mean_cer"] == pytest.approx((2 / 12 + 1 / 3 + 1 / 6 + 0) / 4)
    with pytest.raises(ValueError, match="length"):
        recognition_metrics(["a"], [])


def test_labels_tsv_empty_labels_are_said_and_empty_names_refused(tmp_path):
    import pytest

    from ocrmodels.evaluate import read_labels_tsv

    (tmp_path / "labels.tsv").write_text("a.png\tMilk\nb.png\t\n", encoding="utf-8")
    with pytest.warns(UserWarning, match=r"labels.tsv: 1 line\(s\) have an empty label \(line 2\)"):
        files, texts = read_labels_tsv(tmp_path)
    assert texts == ["Milk", ""]
    (tmp_path / "labels.tsv").write_text("\tMilk\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"labels.tsv:1: an empty file name"):
        read_labels_tsv(tmp_path)
