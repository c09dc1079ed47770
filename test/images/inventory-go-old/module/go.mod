module example.com/cerana/hello

go 1.15

require (
	example.com/lib v1.2.0
	example.com/plain v1.0.0
	example.com/util v0.1.0
)

replace example.com/lib v1.2.0 => example.com/libfork v1.3.0

replace example.com/util => ./util
