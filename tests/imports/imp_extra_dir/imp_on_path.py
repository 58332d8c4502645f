print("imp_on_path: body runs")
WHERE = "imp_extra_dir"
