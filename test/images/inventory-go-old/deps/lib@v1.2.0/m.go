package m

func Name() string { return "lib@v1.2.0" }
