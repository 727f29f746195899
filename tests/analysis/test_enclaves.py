

def test_rows_outside_the_target_are_not_counted():
    import pandas as pd

    from hygis.analysis.enclaves import enclave_counts

    frame = pd.DataFrame({"status": ["operating"] * 4, "year_opened": [2019, 2020, 2021, 2022],
                          "host_city": ["杭州市"] * 4, "origin_city": ["衢州市", "宿州市", "杭州市", "丽水市"],
                          "enclave_type": ["science"] * 4})
    summary = enclave_counts(frame, as_of=2025)["summary"]
    assert summary["count"] == 2  # the cross-province and the intra-city rows are left out; unknown counts
