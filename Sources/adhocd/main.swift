print("adhocd")
