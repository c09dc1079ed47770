package m

func Name() string { return "plain@v1.0.0" }
