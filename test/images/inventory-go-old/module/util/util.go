package m

func Name() string { return "util" }
