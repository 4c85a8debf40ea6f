module github.com/azid-go/azid

go 1.22
