module gatehouse.dev/gatehouse

go 1.26
