Echo copies its input to its output
It reads one byte then while the byte is not zero it prints it and clears
the cell and reads again; at end of input the cell stays zero because EOF
leaves it unchanged and that ends the loop
,[.[-],]
