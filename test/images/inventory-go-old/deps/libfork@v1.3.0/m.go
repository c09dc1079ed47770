package m

func Name() string { return "libfork@v1.3.0" }
