module example.com/cerana/pytool

go 1.19
