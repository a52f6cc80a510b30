print("nothing to serve here")
