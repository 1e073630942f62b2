module racedemo/bench

go 1.19
