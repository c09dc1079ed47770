module example.com/libfork

go 1.15
