print("imp_extra_dir/imp_basic: the shadowing module")
CONST = "shadow"
