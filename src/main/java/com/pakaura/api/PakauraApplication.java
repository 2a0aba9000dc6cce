package com.pakaura.api;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class PakauraApplication {

	public static void main(String[] args) {
		SpringApplication.run(PakauraApplication.class, args);
	}

}
